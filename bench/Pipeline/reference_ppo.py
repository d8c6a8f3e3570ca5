"""PyTorch side of bench/Pipeline: ONE synchronous PPO iteration with the demo's shapes, in one
process, the way a plain script would do it: generate 64 responses (KV cache, temperature 1, EOS
stop, <= 10 tokens), reference log-probs, reward, values, k1-shaped rewards + GAE + whitening, old
log-probs recomputed by the learner, 2 PPO-clip epochs and 2 critic epochs in minibatches of 32
(AdamW, grad-norm clip 1). Same model code as bench/Models/reference.py at the demo's size.
Run with Debian's python3-torch 1.13.1: /usr/bin/python3 reference_ppo.py THREADS ITERATIONS WARMUP
Prints the mean iteration time and its breakdown as JSON."""
import json, math, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

threads, iterations, warmup = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
V, BLOCK, L, NH, C = 90, 32, 2, 2, 64
B, NEW, MB, EPOCHS, EOS, PAD, SEP = 64, 10, 32, 2, 1, 0, 2
BETA, LAM, GAMMA, EPS, EPS_V = 0.05, 0.95, 1.0, 0.2, 0.2
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
        q = q.view(Bx, T, NH, hs).transpose(1, 2)
        k = k.view(Bx, T, NH, hs).transpose(1, 2)
        v = v.view(Bx, T, NH, hs).transpose(1, 2)
        if cache is not None:
            kb, vb, start = cache
            kb.narrow(2, start, T).copy_(k)
            vb.narrow(2, start, T).copy_(v)
            k, v = kb.narrow(2, 0, start + T), vb.narrow(2, 0, start + T)
        att = (q * (1.0 / math.sqrt(hs))) @ k.transpose(-2, -1)
        att = att.masked_fill(blocked, torch.finfo(att.dtype).min).softmax(-1)
        return self.c_proj((att @ v).transpose(1, 2).reshape(Bx, T, C))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.attn, self.ln_2 = nn.LayerNorm(C), Attention(), nn.LayerNorm(C)
        self.c_fc, self.c_proj = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)

    def forward(self, x, blocked, cache):
        x = x + self.attn(self.ln_1(x), blocked, cache)
        return x + self.c_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, head=None):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, C), nn.Embedding(BLOCK, C)
        self.h = nn.ModuleList([Block() for _ in range(L)])
        self.ln_f = nn.LayerNorm(C)
        self.head = nn.Linear(C, 1) if head else None

    def hidden(self, ids, keys, cache=None):
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


policy, reference, reward, critic = GPT(), GPT(), GPT(head=True), GPT(head=True)
reference.load_state_dict(policy.state_dict())
opt_pi = torch.optim.AdamW(policy.parameters(), lr=1e-3, weight_decay=0.0)
opt_v = torch.optim.AdamW(critic.parameters(), lr=1e-3, weight_decay=0.0)
g = torch.Generator().manual_seed(1)


@torch.no_grad()
def generate(ids, mask):
    Bx, P = ids.shape
    cache = [(torch.zeros(Bx, NH, P + NEW, C // NH), torch.zeros(Bx, NH, P + NEW, C // NH)) for _ in range(L)]
    keys = torch.zeros(Bx, P + NEW, dtype=torch.long)
    keys[:, :P] = mask
    h = policy.hidden(ids, keys[:, :P], (cache, 0))
    logits = policy.logits(h[:, -1])
    tokens, logps, valid = [], [], []
    finished = torch.zeros(Bx, dtype=torch.bool)
    for step in range(NEW):
        nxt = torch.multinomial(logits.softmax(-1), 1, generator=g).squeeze(-1)
        logp = logits.gather(-1, nxt.unsqueeze(-1)).squeeze(-1) - logits.logsumexp(-1)
        alive = ~finished
        nxt = torch.where(alive, nxt, torch.full_like(nxt, PAD))
        tokens.append(nxt); logps.append(logp * alive); valid.append(alive.float())
        finished = finished | (nxt == EOS)
        if step == NEW - 1 or bool(finished.all()):
            break
        keys[:, P + step] = 1
        h = policy.hidden(nxt.view(Bx, 1), keys[:, :P + step + 1], (cache, P + step))
        logits = policy.logits(h[:, -1])
    return torch.stack(tokens, 1), torch.stack(logps, 1), torch.stack(valid, 1)


def response_logits(model, seq, attn, P, N):
    return model.logits(model.hidden(seq, attn)).narrow(1, P - 1, N)


def response_logprobs(logits, seq, P, N, amask):
    tok = seq.narrow(1, P, N)
    return (logits.gather(-1, tok.unsqueeze(-1)).squeeze(-1) - logits.logsumexp(-1)) * amask


def values(seq, attn, P, N, amask):
    return critic.head(critic.hidden(seq, attn)).squeeze(-1).narrow(1, P - 1, N) * amask


def iteration():
    t0 = time.perf_counter()
    lens = torch.randint(3, 7, (B,), generator=g)
    rows = [torch.randint(3, V, (int(n),), generator=g).tolist() + [SEP] for n in lens]
    P = max(len(r) for r in rows)
    ids = torch.tensor([[PAD] * (P - len(r)) + r for r in rows])
    mask = torch.tensor([[0] * (P - len(r)) + [1] * len(r) for r in rows])
    tokens, logp_gen, amask = generate(ids, mask)
    N = tokens.shape[1]
    seq, attn = torch.cat([ids, tokens], 1), torch.cat([mask, amask.long()], 1)
    t1 = time.perf_counter()
    with torch.no_grad():
        ref = response_logprobs(response_logits(reference, seq, attn, P, N), seq, P, N, amask)
        hidden = reward.hidden(seq, attn)
        last = (torch.arange(seq.shape[1]) * (attn != 0)).amax(1, keepdim=True)
        score = reward.head(hidden).squeeze(-1).gather(1, last).squeeze(1)
        old_v = values(seq, attn, P, N, amask)
        kl = (logp_gen - ref).clamp(-10, 10) * amask
        r = -BETA * kl
        last_tok = (amask.cumsum(1) * amask).argmax(1)
        r[torch.arange(B), last_tok] += score.clamp(-10, 10)
        adv, gae = torch.zeros_like(r), torch.zeros(B)
        for t in reversed(range(N)):
            nv = old_v[:, t + 1] if t + 1 < N else torch.zeros(B)
            delta = (r[:, t] + GAMMA * (nv * (amask[:, t + 1] if t + 1 < N else 0)) - old_v[:, t]) * amask[:, t]
            gae = delta + GAMMA * LAM * gae * (amask[:, t + 1] if t + 1 < N else 0)
            adv[:, t] = gae * amask[:, t]
        returns = adv + old_v
        m = amask.bool()
        adv = ((adv - adv[m].mean()) / (adv[m].std() + 1e-8)) * amask
    t2 = time.perf_counter()
    with torch.no_grad():
        old = response_logprobs(response_logits(policy, seq, attn, P, N), seq, P, N, amask)
    for _ in range(EPOCHS):
        for rows_ in torch.randperm(B, generator=g).split(MB):
            s, a, am = seq[rows_], attn[rows_], amask[rows_]
            logits = response_logits(policy, s, a, P, N)
            lp = response_logprobs(logits, s, P, N, am)
            ratio = (lp - old[rows_]).clamp(-20, 20).exp()
            A = adv[rows_]
            loss = (-torch.min(ratio * A, ratio.clamp(1 - EPS, 1 + EPS) * A) * am).sum() / am.sum()
            p = logits.softmax(-1)
            entropy = (-(p * logits.log_softmax(-1)).sum(-1) * am).sum() / am.sum()
            opt_pi.zero_grad(); loss.backward()
            torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0); opt_pi.step()
            float(entropy)
    for _ in range(EPOCHS):
        for rows_ in torch.randperm(B, generator=g).split(MB):
            s, a, am = seq[rows_], attn[rows_], amask[rows_]
            v = values(s, a, P, N, am)
            ov, G = old_v[rows_], returns[rows_]
            vc = ov + (v - ov).clamp(-EPS_V, EPS_V)
            vl = (0.5 * torch.max((v - G) ** 2, (vc - G) ** 2) * am).sum() / am.sum()
            opt_v.zero_grad(); vl.backward()
            torch.nn.utils.clip_grad_norm_(critic.parameters(), 1.0); opt_v.step()
    with torch.no_grad():
        snapshot = {k: t.detach().clone() for k, t in policy.state_dict().items()}  # the weight sync
    t3 = time.perf_counter()
    return t3 - t0, t1 - t0, t2 - t1, t3 - t2


times = [iteration() for _ in range(warmup + iterations)][warmup:]
mean = [sum(t[i] for t in times) / len(times) * 1000 for i in range(4)]
print(json.dumps({"threads": threads, "iteration_ms": round(mean[0], 1), "generate_ms": round(mean[1], 1),
                  "score_ms": round(mean[2], 1), "learn_ms": round(mean[3], 1)}))
