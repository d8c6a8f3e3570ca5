"""PyTorch side of bench/Pipeline and bench/Gpt2Small: ONE synchronous PPO iteration in one process, the way a
plain script would do it: generate the responses (KV cache, temperature 1, EOS stop), reference log-probs, reward,
values, k1-shaped rewards + GAE + whitening, old log-probs recomputed by the learner, PPO-clip epochs and critic
epochs in minibatches (AdamW, grad-norm clip 1). Same model code as bench/Models/reference.py.
Default (bench/Pipeline): the demo's shapes, 64 responses of <= 10 tokens, 2 + 2 epochs in minibatches of 32.
--size gpt2-small (bench/Gpt2Small): GPT-2 small (124M), --batch prompts of --prompt random tokens, --new tokens.
--lora R: LoRA (alpha 2R, on c_attn, c_proj and c_fc) on the policy and the critic, PEFT-style: the policy's frozen
base is the SFT model's tensors (shared), and the reference is that SFT model; the critic's base is the reward
model's tensors; only adapters (and the critic's head) train.
Run with Debian's python3-torch 1.13.1: /usr/bin/python3 reference_ppo.py THREADS ITERATIONS WARMUP [options]
Prints the mean iteration time, its breakdown and the peak resident memory as JSON."""
import argparse, json, math, resource, time
import torch
import torch.nn as nn
import torch.nn.functional as F

cli = argparse.ArgumentParser()
cli.add_argument("threads", type=int); cli.add_argument("iterations", type=int); cli.add_argument("warmup", type=int)
cli.add_argument("--size", default="demo", choices=["demo", "gpt2-small"])
cli.add_argument("--batch", type=int, default=64); cli.add_argument("--prompt", type=int, default=0)
cli.add_argument("--new", type=int, default=10); cli.add_argument("--minibatch", type=int, default=32)
cli.add_argument("--epochs", type=int, default=2); cli.add_argument("--lora", type=int, default=0)
opt = cli.parse_args()
threads, iterations, warmup = opt.threads, opt.iterations, opt.warmup
V, BLOCK, L, NH, C = (90, 32, 2, 2, 64) if opt.size == "demo" else (50257, 1024, 12, 12, 768)
B, NEW, MB, EPOCHS = opt.batch, opt.new, opt.minibatch, opt.epochs
EOS, PAD, SEP = (1, 0, 2) if opt.size == "demo" else (50256, 50256, 13)
BETA, LAM, GAMMA, EPS, EPS_V = 0.05, 0.95, 1.0, 0.2, 0.2
torch.set_num_threads(threads)
torch.manual_seed(0)


class Proj(nn.Linear):
    """nn.Linear, with a LoRA adapter (B starts at 0) when --lora is given and the model asks for one."""
    def __init__(self, n_in, n_out):
        super().__init__(n_in, n_out)
        self.lora_A = self.lora_B = None
        self.enabled = True

    def adapt(self, r):
        self.weight.requires_grad_(False); self.bias.requires_grad_(False)
        bound = 1 / math.sqrt(self.in_features)
        self.lora_A = nn.Parameter(torch.empty(r, self.in_features).uniform_(-bound, bound))
        self.lora_B = nn.Parameter(torch.zeros(self.out_features, r))
        self.scaling = 2.0

    def forward(self, x):
        y = super().forward(x)
        if self.lora_A is None or not self.enabled:
            return y
        return y + F.linear(F.linear(x, self.lora_A), self.lora_B) * self.scaling


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn, self.c_proj = Proj(C, 3 * C), Proj(C, C)

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
        self.c_fc, self.c_proj = Proj(C, 4 * C), Proj(4 * C, C)

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


def with_lora(model, base):
    """model's weights become base's tensors (shared, frozen), with adapters on every projection."""
    for (name, p), (_, q) in zip(model.named_parameters(), base.named_parameters()):
        if not name.startswith("head."):
            p.data = q.data
            p.requires_grad_(False)
    for m in model.modules():
        if isinstance(m, Proj):
            m.adapt(opt.lora)
    return model


reference, reward = GPT(), GPT(head=True)
if opt.lora:
    policy, critic = with_lora(GPT(), reference), with_lora(GPT(head=True), reward)
    critic.head.load_state_dict(reward.head.state_dict())
else:
    policy, critic = GPT(), GPT(head=True)
    policy.load_state_dict(reference.state_dict())
    critic.load_state_dict(reward.state_dict())
trainable = lambda m: [p for p in m.parameters() if p.requires_grad]
opt_pi = torch.optim.AdamW(trainable(policy), lr=1e-3, weight_decay=0.0)
opt_v = torch.optim.AdamW(trainable(critic), lr=1e-3, weight_decay=0.0)
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
    lens = torch.randint(3, 7, (B,), generator=g) if opt.prompt == 0 else torch.full((B,), opt.prompt - 1)
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
            torch.nn.utils.clip_grad_norm_(trainable(policy), 1.0); opt_pi.step()
            float(entropy)
    for _ in range(EPOCHS):
        for rows_ in torch.randperm(B, generator=g).split(MB):
            s, a, am = seq[rows_], attn[rows_], amask[rows_]
            v = values(s, a, P, N, am)
            ov, G = old_v[rows_], returns[rows_]
            vc = ov + (v - ov).clamp(-EPS_V, EPS_V)
            vl = (0.5 * torch.max((v - G) ** 2, (vc - G) ** 2) * am).sum() / am.sum()
            opt_v.zero_grad(); vl.backward()
            torch.nn.utils.clip_grad_norm_(trainable(critic), 1.0); opt_v.step()
    with torch.no_grad():
        snapshot = {k: t.detach().clone() for k, t in policy.named_parameters() if t.requires_grad}  # the weight sync (LoRA: adapters)
    t3 = time.perf_counter()
    return t3 - t0, t1 - t0, t2 - t1, t3 - t2


times = [iteration() for _ in range(warmup + iterations)][warmup:]
mean = [sum(t[i] for t in times) / len(times) * 1000 for i in range(4)]
print(json.dumps({"threads": threads, "iteration_ms": round(mean[0], 1), "generate_ms": round(mean[1], 1),
                  "score_ms": round(mean[2], 1), "learn_ms": round(mean[3], 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
