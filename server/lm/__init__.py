"""The language model: conversion of the installed weights, loading, the decoder and its numeric path."""
