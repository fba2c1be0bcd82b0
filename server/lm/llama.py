"""The decoder of SmolLM2-135M (a Llama architecture) as plain torch, for inference only.

transformers reads the GGUF file once, at conversion (lm.convert); serving runs this module
instead of `transformers.LlamaModel` because importing transformers' Llama costs 3.5 s and
150 MB of resident memory on this project's machines (measured: `import torch` 218 MB / 1.8 s,
then `from transformers.models.llama.modeling_llama import LlamaModel` 368 MB / 5.3 s), half
of the cold-start and memory budgets of the server. The arithmetic is transformers' own (RMSNorm
in fp32, rotary embeddings, grouped-query attention through `scaled_dot_product_attention`,
SwiGLU), and `tests/test_precision.py` checks that both give the same hidden states.

Shapes: B batch rows, T new tokens, P cached (past) tokens, H hidden size, d head size.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class RMSNorm(nn.Module):
    def __init__(self, size: int, eps: float, device=None):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size, device=device))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(x.dtype)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


class Attention(nn.Module):
    def __init__(self, hidden: int, heads: int, kv_heads: int, head_dim: int, device=None):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, head_dim
        self.q_proj = nn.Linear(hidden, heads * head_dim, bias=False, device=device)
        self.k_proj = nn.Linear(hidden, kv_heads * head_dim, bias=False, device=device)
        self.v_proj = nn.Linear(hidden, kv_heads * head_dim, bias=False, device=device)
        self.o_proj = nn.Linear(heads * head_dim, hidden, bias=False, device=device)

    def forward(self, x, cos, sin, mask, past):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        if past is not None:
            k, v = torch.cat((past[0], k), dim=2), torch.cat((past[1], v), dim=2)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=mask is None and past is None,
                                             enable_gqa=self.heads != self.kv_heads)
        return self.o_proj(out.transpose(1, 2).reshape(b, t, -1)), (k, v)


class MLP(nn.Module):
    def __init__(self, hidden: int, intermediate: int, device=None):
        super().__init__()
        self.gate_proj = nn.Linear(hidden, intermediate, bias=False, device=device)
        self.up_proj = nn.Linear(hidden, intermediate, bias=False, device=device)
        self.down_proj = nn.Linear(intermediate, hidden, bias=False, device=device)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, config: dict, device=None):
        super().__init__()
        hidden, eps = config["hidden_size"], config["rms_norm_eps"]
        head_dim = config.get("head_dim") or hidden // config["num_attention_heads"]
        self.self_attn = Attention(hidden, config["num_attention_heads"], config["num_key_value_heads"], head_dim,
                                   device)
        self.mlp = MLP(hidden, config["intermediate_size"], device)
        self.input_layernorm = RMSNorm(hidden, eps, device)
        self.post_attention_layernorm = RMSNorm(hidden, eps, device)

    def forward(self, x, cos, sin, mask=None, past=None):
        attended, kv = self.self_attn(self.input_layernorm(x), cos, sin, mask, past)
        x = x + attended
        return x + self.mlp(self.post_attention_layernorm(x)), kv


class Llama(nn.Module):
    """The decoder body: token ids -> final hidden states (after the last norm).

    Parameter names are transformers' `LlamaModel` names, so its state dict loads as it is. The
    LM head is tied to `embed_tokens` (SmolLM2), so callers multiply by that matrix themselves
    and only for the positions they need. device "meta" builds it without memory or random
    initialisation, for weights assigned afterwards (`load_state_dict(..., assign=True)`)."""

    inv_freq: torch.Tensor  # [head_dim / 2] the rotary embedding's frequencies (a buffer)

    def __init__(self, config: dict, device=None):
        super().__init__()
        hidden = config["hidden_size"]
        head_dim = config.get("head_dim") or hidden // config["num_attention_heads"]
        # given its weight, Embedding skips its random initialisation (which on "meta" costs 1.4 s of imports)
        self.embed_tokens = nn.Embedding(config["vocab_size"], hidden,
                                         _weight=torch.empty(config["vocab_size"], hidden, device=device))
        self.layers = nn.ModuleList(DecoderLayer(config, device) for _ in range(config["num_hidden_layers"]))
        self.norm = RMSNorm(hidden, config["rms_norm_eps"], device)
        theta = (config.get("rope_parameters") or {}).get("rope_theta") or config.get("rope_theta", 10000.0)
        self.register_buffer("inv_freq", 1.0 / theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim),
                             persistent=False)

    @property
    def dtype(self) -> torch.dtype:
        return self.embed_tokens.weight.dtype

    def forward(self, ids: torch.Tensor, positions: torch.Tensor | None = None, mask: torch.Tensor | None = None,
                past: list | None = None, keep: bool = False):
        """ids [B,T] -> (hidden [B,T,H], per-layer (key, value) [B,kv_heads,P+T,d] when `keep`, else None).

        positions [B,T] (default 0..T-1); mask: bool [B or 1,1,T,P+T], True where a token may
        attend (default: causal, which also serves right-padded batches: padding comes after
        every real token); past: per-layer (key, value) of P earlier tokens."""
        if positions is None:
            positions = torch.arange(ids.shape[1])[None].expand(ids.shape[0], -1)
        x = self.embed_tokens(ids)
        freqs = positions[..., None].float() * self.inv_freq
        angles = torch.cat((freqs, freqs), dim=-1)
        cos, sin = angles.cos().to(x.dtype)[:, None], angles.sin().to(x.dtype)[:, None]
        kept = []
        for n, layer in enumerate(self.layers):
            x, kv = layer(x, cos, sin, mask, past[n] if past is not None else None)
            if keep:
                kept.append(kv)
        return self.norm(x), kept if keep else None


def build_body(config: dict, state: dict[str, torch.Tensor]) -> Llama:
    """The decoder with `state`'s tensors as its parameters (no copies, no random weights first)."""
    body = Llama(config, device="meta")
    body.load_state_dict(state, assign=True, strict=True)
    return body.eval().requires_grad_(False)
