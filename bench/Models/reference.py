"""PyTorch side of bench/Models: the same GPT-2 model as Models/Gpt.cs (matmul + masked softmax,
positions from the attention mask, preallocated KV cache written with narrow().copy_()), the same
generation loop (temperature-1 sampling, per-token log-probs) and the same policy training step,
timed the same way (best of rounds). Run with Debian's python3-torch 1.13.1 (/usr/bin/python3).
Prints one JSON object of timings."""
import json, math, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
V, BLOCK, L, NH, C = 258, 256, 4, 4, 128
B, PROMPT, NEW = 4, 16, 128
TB, TT = 8, 64
torch.set_num_threads(threads)
torch.manual_seed(0)


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn, self.c_proj = nn.Linear(C, 3 * C), nn.Linear(C, C)

    def forward(self, x, blocked, cache):
        Bx, T, _ = x.shape
        hs = C // NH
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(Bx, T, NH, hs).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(Bx, T, NH, hs).transpose(1, 2)
        v = v.view(Bx, T, NH, hs).transpose(1, 2)
        if cache is not None:
            kb, vb, start = cache
            kb.narrow(2, start, T).copy_(k)
            vb.narrow(2, start, T).copy_(v)
            k, v = kb.narrow(2, 0, start + T), vb.narrow(2, 0, start + T)
        att = (q * (1.0 / math.sqrt(hs))) @ k.transpose(-2, -1)  # (B, nh, T, S)
        att = att.masked_fill(blocked, torch.finfo(att.dtype).min).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(Bx, T, C)
        return self.c_proj(y)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.attn, self.ln_2 = nn.LayerNorm(C), Attention(), nn.LayerNorm(C)
        self.c_fc, self.c_proj = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)

    def forward(self, x, blocked, cache):
        x = x + self.attn(self.ln_1(x), blocked, cache)
        return x + self.c_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, C), nn.Embedding(BLOCK, C)
        self.h = nn.ModuleList([Block() for _ in range(L)])
        self.ln_f = nn.LayerNorm(C)

    def hidden(self, ids, keys, cache=None):
        """ids (B, T); keys (B, S) mask of every position so far; cache = (list of (k, v), start)."""
        T, S = ids.shape[1], keys.shape[1]
        past = S - T
        pos = (keys.cumsum(1) - 1).clamp_min(0).narrow(1, past, T)
        blocked = torch.arange(S).view(1, S) > torch.arange(past, S).view(T, 1)
        blocked = blocked | (keys == 0).view(-1, 1, 1, S)
        x = self.wte(ids) + self.wpe(pos)
        for i, block in enumerate(self.h):
            x = block(x, blocked, None if cache is None else (cache[0][i][0], cache[0][i][1], cache[1]))
        return self.ln_f(x)

    def logits(self, h):
        return F.linear(h, self.wte.weight)


model = GPT().eval()
prompts = [list(range(1, PROMPT + 1 - 3 * b)) for b in range(B)]
P = max(len(p) for p in prompts)
ids0 = torch.tensor([[0] * (P - len(p)) + p for p in prompts])
mask0 = torch.tensor([[0] * (P - len(p)) + [1] * len(p) for p in prompts])


@torch.no_grad()
def generate(use_cache, gen):
    mask = torch.zeros(B, P + NEW, dtype=torch.long)
    mask[:, :P] = mask0
    cache = [(torch.zeros(B, NH, P + NEW, C // NH), torch.zeros(B, NH, P + NEW, C // NH)) for _ in range(L)] if use_cache else None
    h = model.hidden(ids0, mask[:, :P], (cache, 0) if use_cache else None)
    logits, seq, toks, lps = model.logits(h[:, -1]), ids0, [], []
    for step in range(NEW):
        nxt = torch.multinomial(logits.softmax(-1), 1, generator=gen).squeeze(-1)
        lps.append(logits.gather(-1, nxt.unsqueeze(-1)).squeeze(-1) - logits.logsumexp(-1))
        toks.append(nxt)
        if step == NEW - 1:
            break
        mask[:, P + step] = 1
        if use_cache:
            h = model.hidden(nxt.view(B, 1), mask[:, :P + step + 1], (cache, P + step))
        else:
            seq = torch.cat([seq, nxt.view(B, 1)], 1)
            h = model.hidden(seq, mask[:, :P + step + 1])
        logits = model.logits(h[:, -1])
    return torch.stack(toks, 1), torch.stack(lps, 1)


def tokens_per_s(use_cache, n_rounds):
    best = float("inf")
    for r in range(n_rounds):
        gen = torch.Generator().manual_seed(r)
        t0 = time.perf_counter()
        generate(use_cache, gen)
        best = min(best, time.perf_counter() - t0)
    return B * NEW / best


train = GPT().train()
opt = torch.optim.AdamW(train.parameters(), lr=1e-4)
ids = torch.randint(0, V, (TB, TT), generator=torch.Generator().manual_seed(1))
ones = torch.ones(TB, TT, dtype=torch.long)


def train_steps(n):
    for _ in range(n):
        logits = train.logits(train.hidden(ids, ones))
        lp = logits[:, :-1].gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1) - logits[:, :-1].logsumexp(-1)
        loss = -lp.mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()


def best(fn, n):
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn(n)
        times.append((time.perf_counter() - t0) / n)
    return min(times)


tokens_per_s(True, 1)
train_steps(3)
print(json.dumps({
    "gen_cache_tok_s": tokens_per_s(True, rounds),
    "gen_nocache_tok_s": tokens_per_s(False, 1),
    "train_step_ms": best(train_steps, 10) * 1e3,
}))
