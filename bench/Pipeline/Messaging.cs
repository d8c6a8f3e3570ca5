using System.Diagnostics;
using System.Globalization;
using AkkaRlhf.Actors;
using AkkaRlhf.Actors.Dispatch;
using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Configuration;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Data;
using AkkaRlhf.Models.Losses;
using AkkaRlhf.Models.Synthetic;
using Akka.Actor;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// <c>--messaging</c>: the share of a synchronous PPO iteration spent in messaging. Each round builds three copies of the same
/// models (same seed) and runs, iteration by iteration interleaved:
/// <list type="bullet">
/// <item>(a) the iterations through the actors, exactly as the product runs them (the Trainer with its roles as children on
/// the model dispatcher, a PromptSource, one generator so the work is the same as below);</item>
/// <item>(b) the same iterations with the roles' code called directly (no actors, no messages, no weight snapshot: one policy
/// both samples and learns), one after the other on the calling thread;</item>
/// <item>(c) as (b), keeping the trainer's fork/join: reference, reward and values scored at once, then the learner's and
/// the critic's updates at once (plain tasks, no actors), so that (a) - (c) is not the trainer's parallelism.</item>
/// </list>
/// Iteration i of (b) and (c) runs on the trainer's thread inside its progress report of iteration i (the roles idle), and
/// the actors' iteration time excludes it: the three paths see the same state of the shared machine within ~0.3 s.
/// Every path starts from the same freshly built models, so iteration i of each must give the same metrics.
/// With BENCH_THREAD_CPU=1 each round also prints the actors' CPU per iteration by thread name (from /proc, Linux). With
/// BENCH_MODEL_DISPATCHER=pool the model actors run on the thread pool (<c>akka.rlhf.model-dispatcher.thread-per-actor = off</c>),
/// with =threads on a thread each (<c>on</c>); unset, as the product's default (<c>auto</c>: by the model's size).
/// </summary>
static class MessagingBench
{
    private const string A = "(a) actors", B = "(b) direct, calling thread", C = "(c) direct, trainer's fork/join";
    private static readonly string[] Paths = [A, B, C];
    private static readonly string[] Timing = ["wall", "cpu", "faults", "switches", "work_items", "t_generate", "t_score", "t_learn", "t_sync", "retries", "dropped_batches"];

    /// <param name="warmupRounds">Whole rounds run first and not counted, while the JIT's tiers settle (the JIT's time per round is printed).</param>
    public static async Task Run(int iterations, int warmup, int rounds, int warmupRounds, IReadOnlyList<string> prompts, ITokenizer tokenizer, GptConfig gpt)
    {
        var settings = PipelineSettings.FromConfig(ConfigurationFactory.ParseString("akka-rlhf.ppo.generator.pool-size = 1")
            .WithFallback(PipelineSettings.Reference)).Ppo.WithMode(PipelineMode.Sync).WithIterations(warmup + iterations);
        Console.WriteLine($"messaging share: model {gpt.NLayer} layers x {gpt.NEmbd} wide, vocab {gpt.VocabSize}; {settings.PromptsPerIteration} sequences x <= " +
                          $"{settings.Sampling.MaxNewTokens} new tokens per iteration; {rounds} rounds of {iterations} iterations after {warmup} warm-up, " +
                          $"the three paths interleaved iteration by iteration; torch threads {torch.get_num_threads()}, {Environment.ProcessorCount} cores");

        PpoModels Models(Generator g)
        {
            var reward = new GptReward(gpt, g);
            return new PpoModels(new GptLM(gpt, g), new GptLM(gpt, g), reward, GptValue.FromReward(reward), tokenizer);
        }

        // one actor system for the whole run, as a process of the product has; each round its own trainer (with its roles) and prompts
        var pool = Environment.GetEnvironmentVariable("BENCH_MODEL_DISPATCHER") switch  // unset: the product's default (auto)
        {
            "pool" => "akka.rlhf.model-dispatcher.thread-per-actor = off",             // the model actors on the thread pool
            "threads" => "akka.rlhf.model-dispatcher.thread-per-actor = on",           // a thread of its own each
            _ => "",
        };
        var system = ActorSystem.Create("bench", Akka.Configuration.ConfigurationFactory.ParseString(pool).WithFallback(RlhfActors.AkkaConfig).WithFallback("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING"));
        async Task<Dictionary<string, List<Dictionary<string, double>>>> Round(int round)
        {
            using var ga = new Generator(1);
            using var gb = new Generator(1);
            using var gc = new Generator(1);
            using var direct = new DirectPpo(settings, Models(gb), prompts, parallel: false);
            using var forkJoin = new DirectPpo(settings, Models(gc), prompts, parallel: true);
            var progress = new Interleaved(round % 2 == 0 ? [(B, direct), (C, forkJoin)] : [(C, forkJoin), (B, direct)]);
            var source = system.ActorOf(PromptSource.Props(prompts, tokenizer, SyntheticTask.ChatTemplate, 1));
            var trainer = system.ActorOf(Trainer.Props(settings, Models(ga), source, progress));
            await trainer.Ask<StageFinished>(new RunStage(1, settings.Iterations), TimeSpan.FromMinutes(30));
            await Task.WhenAll(trainer.GracefulStop(TimeSpan.FromMinutes(1)), source.GracefulStop(TimeSpan.FromMinutes(1)));
            if (progress.ActorThreadCpu.Count > 0)
                Console.WriteLine($"  actors' iterations, CPU ms per iteration by thread: " + string.Join(", ", progress.ActorThreadCpu
                    .Where(t => t.Value > 0).OrderByDescending(t => t.Value).Select(t => $"{t.Key} {t.Value / settings.Iterations:F1}")));
            return progress.Steps;
        }

        var placement = ModelDispatchers.Get(system);
        string dispatcher;                                                                 // the roles' (they all run the policy's size)
        using (var g = new Generator(1)) using (var policy = new GptLM(gpt, g))
            dispatcher = placement.For(ParameterCount.Of(policy));
        Console.WriteLine($"model actors on {dispatcher} ({placement.Mode})");
        for (var w = 1; w <= warmupRounds; w++)                                            // not counted: the JIT's tiers settle
        {
            var jit = System.Runtime.JitInfo.GetCompilationTime();
            await Round(-w);
            Console.WriteLine($"warm-up round {w}: JIT {(System.Runtime.JitInfo.GetCompilationTime() - jit).TotalMilliseconds:F0} ms");
        }
        var (wallMean, wallMedian, cpu, faults, switches, workItems) = (Table(), Table(), Table(), Table(), Table(), Table());
        var paired = Paths.Skip(1).ToDictionary(p => p, _ => new List<double>());
        var (askRtt, weightCopy) = (new List<double>(), new List<double>());
        Dictionary<string, List<Dictionary<string, double>>>? first = null;
        var allSteps = Paths.ToDictionary(p => p, _ => new List<Dictionary<string, double>>());
        for (var round = 0; round < rounds; round++)
        {
            var load = LoadAverage();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
            var steps = await Round(round);
            var jitMs = (System.Runtime.JitInfo.GetCompilationTime() - jitBefore).TotalMilliseconds;
            first ??= steps;
            foreach (var p in Paths) allSteps[p].AddRange(steps[p].Skip(warmup));
            foreach (var p in Paths)
            {
                if (!SameMetrics(steps[A], steps[p], out var why)) Console.WriteLine($"  round {round + 1}: metrics of {p} != {A}: {why}");
                var timed = steps[p].Skip(warmup).ToList();
                wallMean[p].Add(timed.Average(s => s["wall"]) * 1000);
                wallMedian[p].Add(Median(timed.Select(s => s["wall"] * 1000)));
                cpu[p].Add(timed.Average(s => s["cpu"]) * 1000);
                faults[p].Add(timed.Average(s => s["faults"]));
                switches[p].Add(timed.Average(s => s["switches"]));
                workItems[p].Add(timed.Average(s => s["work_items"]));
            }
            foreach (var p in Paths.Skip(1))
                paired[p].AddRange(steps[A].Zip(steps[p]).Skip(warmup).Select(x => Share(x.First["wall"], x.Second["wall"])));
            askRtt.Add(await AskRoundTrip(system, dispatcher, 200));
            weightCopy.Add(WeightSyncCopy(gpt, 50));
            Console.WriteLine($"round {round + 1} (load {load} -> {LoadAverage()}): wall mean / median ms " +
                              string.Join("  ", Paths.Select(p => $"{p[..3]} {wallMean[p][^1]:F1} / {wallMedian[p][^1]:F1}")) +
                              $"; share of the means vs (b) {Share(wallMean[A][^1], wallMean[B][^1]):P1}, vs (c) {Share(wallMean[A][^1], wallMean[C][^1]):P1}" +
                              "; CPU ms " + string.Join("  ", Paths.Select(p => $"{p[..3]} {cpu[p][^1]:F1}")) +
                              $"; empty ask {askRtt[^1] * 1e6:F0} us, weight snapshot + load {weightCopy[^1] * 1e6:F0} us; JIT {jitMs:F0} ms");
        }
        await system.Terminate();

        // the direct paths must compute what the actors compute (checked every round above; round 1 printed)
        foreach (var p in Paths.Skip(1))
            Console.WriteLine(SameMetrics(first![A], first[p], out var why)
                ? $"metrics of {p} == {A}: every iteration, every metric, bit for bit ({first[A].Count} iterations, {MetricKeys(first[A][0]).Count()} metrics)"
                : $"metrics of {p} != {A}: {why}");
        Console.WriteLine("iteration 1 / last: " + string.Join(", ", MetricKeys(first![A][0]).Select(m => $"{m} {first[A][0][m]:G6} / {first[A][^1][m]:G6}")));
        Console.WriteLine($"empty ask round trip to a model-dispatcher actor: median of rounds {Median(askRtt) * 1e6:F0} us; " +
                          $"weight snapshot + load_state_dict: {Median(weightCopy) * 1e6:F0} us");
        foreach (var (title, table) in new[]
                 {
                     ($"wall ms per iteration (mean of a round's {iterations})", wallMean),
                     ($"wall ms per iteration (median of a round's {iterations})", wallMedian),
                     ("process CPU ms per iteration (all threads)", cpu),
                     ("minor page faults per iteration (process)", faults),
                     ("context switches per iteration (process, voluntary + involuntary)", switches),
                     (".NET thread pool work items per iteration (process)", workItems),
                 })
        {
            Console.WriteLine();
            Console.WriteLine($"| {title} | best round | median round | rounds |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var p in Paths)
                Console.WriteLine($"| {p} | {table[p].Min():F1} | {Median(table[p]):F1} | {string.Join(" ", table[p].Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))} |");
            foreach (var p in Paths.Skip(1))
            {
                var byRound = table[A].Zip(table[p], Share).ToList();
                Console.WriteLine($"| share (a-{p[1]})/a | {Share(table[A].Min(), table[p].Min()):P1} | {Share(Median(table[A]), Median(table[p])):P1} | " +
                                  $"paired by round: {string.Join(" ", byRound.Select(v => v.ToString("P1", CultureInfo.InvariantCulture)))}; median {Median(byRound):P1} |");
            }
        }
        Console.WriteLine();
        foreach (var p in Paths)
            Console.WriteLine($"phases ms (mean over rounds) {p}: " + string.Join("  ", new[] { "t_generate", "t_score", "t_learn", "t_sync" }
                .Select(k => $"{k} {allSteps[p].Where(x => x.ContainsKey(k)).Select(x => x[k] * 1000).DefaultIfEmpty().Average():F2}")));
        Console.WriteLine();
        foreach (var p in Paths.Skip(1))
        {
            var s = paired[p].Order().ToList();
            // a 95% confidence interval of the median from order statistics: ranks n/2 -+ 1.96 sqrt(n)/2 (no assumption on the shape)
            var half = (int)Math.Ceiling(1.96 * Math.Sqrt(s.Count) / 2);
            var (low, high) = (s[Math.Max(0, s.Count / 2 - half)], s[Math.Min(s.Count - 1, s.Count / 2 + half)]);
            Console.WriteLine($"share (a-{p[1]})/a of paired iterations ({s.Count}): median {Median(s):P1} (95% interval {low:P1} .. {high:P1}), " +
                              $"quartiles {s[s.Count / 4]:P1} .. {s[3 * s.Count / 4]:P1}");
            // BENCH_PAIRED_OUT: each paired iteration's share, one line per path and run, to pool runs (bench/Pipeline/pool-shares.py)
            if (Environment.GetEnvironmentVariable("BENCH_PAIRED_OUT") is { Length: > 0 } file)
                File.AppendAllText(file, $"{p[..3]} " + string.Join(" ", paired[p].Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "\n");
        }
    }

    private static Dictionary<string, List<double>> Table() => Paths.ToDictionary(p => p, _ => new List<double>());

    /// <summary>
    /// The actors' progress reporter: times each actor iteration (from the end of the previous report to this one), then runs
    /// the same iteration of the direct paths on the trainer's thread, timing each.
    /// </summary>
    private sealed class Interleaved((string Label, DirectPpo Path)[] direct) : IProgressReporter
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private (double Wall, double Cpu, double Faults, double Switches, double WorkItems) _last;
        private static readonly bool ByThread = Environment.GetEnvironmentVariable("BENCH_THREAD_CPU") == "1";
        private Dictionary<string, (string Name, double Cpu)> _threadsAtLast = [];

        /// <summary>With BENCH_THREAD_CPU=1: CPU ms of the actors' iterations by thread name (summed over iterations).</summary>
        public Dictionary<string, double> ActorThreadCpu { get; } = [];

        public Dictionary<string, List<Dictionary<string, double>>> Steps { get; } = Paths.ToDictionary(p => p, _ => new List<Dictionary<string, double>>());

        private (double Wall, double Cpu, double Faults, double Switches, double WorkItems) Now()
        {
            var wall = _clock.Elapsed.TotalSeconds;
            var (cpu, faults, switches) = Usage();
            return (wall, cpu, faults, switches, ThreadPool.CompletedWorkItemCount);
        }

        public void StageStarted(string stage, int totalSteps)
        {
            if (ByThread) _threadsAtLast = ThreadCpu();
            _last = Now();
        }

        public void StepCompleted(string stage, int step, IReadOnlyDictionary<string, double> metrics)
        {
            var now = Now();
            if (ByThread)
                foreach (var (id, (name, ms)) in ThreadCpu())
                    ActorThreadCpu[name] = ActorThreadCpu.GetValueOrDefault(name) + ms - (_threadsAtLast.TryGetValue(id, out var before) ? before.Cpu : 0);
            Steps[A].Add(new Dictionary<string, double>(metrics) { ["wall"] = now.Wall - _last.Wall, ["cpu"] = now.Cpu - _last.Cpu, ["faults"] = now.Faults - _last.Faults, ["switches"] = now.Switches - _last.Switches, ["work_items"] = now.WorkItems - _last.WorkItems });
            foreach (var (label, path) in direct)
            {
                var start = Now();
                var m = path.Step(step);
                var end = Now();
                m["wall"] = end.Wall - start.Wall;
                m["cpu"] = end.Cpu - start.Cpu;
                m["faults"] = end.Faults - start.Faults;
                m["switches"] = end.Switches - start.Switches;
                m["work_items"] = end.WorkItems - start.WorkItems;
                Steps[label].Add(m);
            }
            if (ByThread) _threadsAtLast = ThreadCpu();
            _last = Now();
        }

        public void StageCompleted(string stage, IReadOnlyDictionary<string, double> summary) { }
    }

    /// <summary>
    /// The synchronous iteration of the <see cref="Trainer"/> with its roles' code called directly: prompts as the PromptSource
    /// serves them, the generator's sampling, the reference's, reward model's and critic's forward passes, the ExperienceMaker,
    /// the learner's and the critic's updates, the KL controller. Each role's seed and RNG stream as <see cref="Trainer.RoleContextOf"/> gives them.
    /// </summary>
    private sealed class DirectPpo : IDisposable
    {
        private const int SamplesPerPrompt = 1;                                            // the PPO learner's spec
        private readonly PpoSettings _s;
        private readonly bool _parallel;
        private readonly Device _device;
        private readonly int _padId;
        private readonly GptLM _policy, _reference;
        private readonly GptReward _reward;
        private readonly GptValue _critic;
        private readonly GenerationConfig _sampling;
        private readonly long _generatorSeed;
        private readonly AdamW _policyOptimizer, _criticOptimizer;
        private readonly SeededRandom _policyRng, _criticRng;
        private readonly RewardNormalizer? _normalizer;
        private readonly IKlController _kl;
        private readonly DatasetIterator<string> _prompts;
        private readonly ITokenizer _tokenizer;
        private long _version;

        public DirectPpo(PpoSettings s, PpoModels m, IReadOnlyList<string> texts, bool parallel)
        {
            long Seed(string role, RoleSettings r) => Trainer.RoleContextOf(role, r, m, s).Seed;
            (_s, _parallel, _device, _padId, _tokenizer) = (s, parallel, s.Learner.ParsedDevice, m.Tokenizer.PadId, m.Tokenizer);
            _policy = ModelCopies.On(m.Policy, _device);
            _reference = ModelCopies.On(m.Reference, _device);
            _reward = ModelCopies.On(m.Reward!, _device);
            _critic = ModelCopies.On(m.Critic!, _device);
            _reference.eval();
            _reward.eval();
            _sampling = RolloutGenerator.Sampling(s.Sampling, _padId, m.Tokenizer.EosId);
            _generatorSeed = Seed("generator", s.Generator);
            _policyOptimizer = PpoLearner.NewOptimizer(_policy, s.LearnerOptions);
            _policyRng = PpoLearner.NewRng(Seed("learner", s.Learner));
            _criticOptimizer = Critic.NewOptimizer(_critic, s.CriticOptions);
            _criticRng = Critic.NewRng(Seed("critic", s.Critic));
            _normalizer = s.NormalizeRewards ? m.RewardNormalizer : null;
            _kl = s.Kl.CreateController();
            var count = Math.Max(1, s.PromptsPerIteration / SamplesPerPrompt);
            _prompts = new DatasetIterator<string>(texts, Math.Min(count, texts.Count), 1, shuffle: true, cursor: DataCursor.Start);   // PromptSource, seed 1
        }

        private Task<List<int[]>>? _nextPrompts;

        private List<int[]> NextPrompts() => _prompts.Next().Select(p => SyntheticTask.ChatTemplate.EncodePrompt(_tokenizer, p)).ToList();

        /// <summary>Iteration <paramref name="id"/> (1, 2, ...: the trainer's batch id), its metrics.</summary>
        public Dictionary<string, double> Step(long id)
        {
            var clock = Stopwatch.StartNew();
            var prompts = _nextPrompts?.Result ?? NextPrompts();
            // the fork/join path asks for the next prompts while this batch generates, as the trainer does
            _nextPrompts = _parallel ? Task.Run(NextPrompts) : null;
            _policy.eval();
            var (batch, logProbs) = RolloutGenerator.Generate(_policy, prompts, SamplesPerPrompt,
                _sampling with { Seed = RolloutGenerator.SeedOf(_generatorSeed, id, 0) }, _padId, _device);
            _policy.train();
            var rollout = new RolloutBatch(id, 0, batch, logProbs, _version);
            var tGenerate = clock.Elapsed.TotalSeconds;
            clock.Restart();

            Tensor refLogProbs = null!, scores = null!, values = null!;
            Run(() => { using var _ = torch.no_grad(); refLogProbs = Scoring.ResponseLogProbs(_reference, batch); },
                () =>
                {
                    using var _ = torch.no_grad();
                    scores = Scoring.Rewards(_reward, batch);
                    if (_normalizer is not null) scores = _normalizer.Normalize(scores);
                },
                () => { using var _ = torch.no_grad(); values = Scoring.Values(_critic, batch); });

            var tScore = clock.Elapsed.TotalSeconds;                                   // as the trainer's: the scorings, not the experience
            var (experience, metrics) = ExperienceMaker.Make(rollout, refLogProbs, scores, values, _s, _kl.Beta, SamplesPerPrompt);
            clock.Restart();
            Dictionary<string, double> policyMetrics = null!, criticMetrics = null!;
            Run(() => policyMetrics = PpoLearner.Train(_policy, _policyOptimizer, _policyRng, _s.LearnerOptions, _device, experience),
                () => criticMetrics = Critic.Train(_critic, _criticOptimizer, _criticRng, _s.CriticOptions, _device, batch, experience.Returns!, values));
            _version++;
            metrics["t_generate"] = tGenerate;
            metrics["t_score"] = tScore;
            metrics["t_learn"] = clock.Elapsed.TotalSeconds;
            policyMetrics["policy_version"] = _version;
            policyMetrics["batch_id"] = id;
            foreach (var (k, v) in policyMetrics) metrics[k] = v;
            foreach (var (k, v) in criticMetrics) metrics[k] = v;
            _kl.Update(metrics["kl"], batch.Count);

            foreach (var t in new[] { batch.Sequences, batch.AttentionMask, batch.ActionMask, logProbs, refLogProbs, scores, values,
                         experience.Advantages!, experience.Returns! })
                t.Dispose();
            return metrics;
        }

        /// <summary>The actions one after the other on the calling thread, or at once (the calling thread takes one).</summary>
        private void Run(params Action[] actions)
        {
            if (_parallel) Parallel.Invoke(actions);
            else foreach (var action in actions) action();
        }

        public void Dispose()
        {
            _policyOptimizer.Dispose();
            _criticOptimizer.Dispose();
        }
    }

    private static IEnumerable<string> MetricKeys(Dictionary<string, double> step) => step.Keys.Where(k => !Timing.Contains(k)).Order(StringComparer.Ordinal);

    /// <summary>Every iteration's metrics (not its timings) equal bit for bit; else the first difference.</summary>
    private static bool SameMetrics(List<Dictionary<string, double>> a, List<Dictionary<string, double>> b, out string why)
    {
        why = "";
        if (a.Count != b.Count) { why = $"{a.Count} vs {b.Count} iterations"; return false; }
        for (var i = 0; i < a.Count; i++)
        {
            var (ka, kb) = (MetricKeys(a[i]).ToList(), MetricKeys(b[i]).ToList());
            if (!ka.SequenceEqual(kb)) { why = $"iteration {i + 1}: metrics [{string.Join(",", ka)}] vs [{string.Join(",", kb)}]"; return false; }
            foreach (var k in ka)
                if (BitConverter.DoubleToInt64Bits(a[i][k]) != BitConverter.DoubleToInt64Bits(b[i][k]))
                {
                    why = $"iteration {i + 1}: {k} {a[i][k]:R} vs {b[i][k]:R}";
                    return false;
                }
        }
        return true;
    }

    private static double Share(double actors, double direct) => (actors - direct) / actors;

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    /// <summary>This process's CPU seconds, minor page faults and context switches (voluntary + involuntary) so far (getrusage; Linux).</summary>
    private static (double Cpu, double Faults, double Switches) Usage()
    {
        var u = new long[18];                                   // struct rusage: two timevals, then 14 longs
        if (!OperatingSystem.IsLinux() || getrusage(0, u) != 0) return (Environment.CpuUsage.TotalTime.TotalSeconds, 0, 0);
        return (u[0] + u[1] / 1e6 + u[2] + u[3] / 1e6, u[8], u[16] + u[17]);
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int getrusage(int who, long[] usage);

    /// <summary>CPU ms (user + system) of every live thread of this process, by thread id, with its name (Linux; 10 ms ticks).</summary>
    private static Dictionary<string, (string Name, double Cpu)> ThreadCpu()
    {
        var result = new Dictionary<string, (string, double)>();
        if (!Directory.Exists("/proc/self/task")) return result;
        foreach (var dir in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var f = stat[(close + 2)..].Split(' ');
                result[Path.GetFileName(dir)] = (stat[(stat.IndexOf('(') + 1)..close], (double.Parse(f[11]) + double.Parse(f[12])) * 10);
            }
            catch (IOException) { }
        }
        return result;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    /// <summary>Median seconds of an ask to an actor on the roles' model dispatcher that replies at once (one hop there and back).</summary>
    private static async Task<double> AskRoundTrip(ActorSystem system, string dispatcher, int n)
    {
        var echo = system.ActorOf(Props.Create(() => new Echo()).WithDispatcher(dispatcher));
        var times = new List<double>();
        for (var i = 0; i < n; i++)
        {
            var clock = Stopwatch.StartNew();
            await echo.Ask<int>(i, TimeSpan.FromSeconds(10));
            times.Add(clock.Elapsed.TotalSeconds);
        }
        await echo.GracefulStop(TimeSpan.FromMinutes(1));
        return Median(times.Skip(n / 10));
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<int>(i => Sender.Tell(i));
    }

    /// <summary>Median seconds of the weight sync's copies: the learner's snapshot and a generator's load_state_dict.</summary>
    private static double WeightSyncCopy(GptConfig gpt, int n)
    {
        using var g = new Generator(1);
        var (policy, generator) = (new GptLM(gpt, g), new GptLM(gpt, g));
        var times = new List<double>();
        for (var i = 0; i < n; i++)
        {
            var clock = Stopwatch.StartNew();
            var weights = ModelCopies.Snapshot(policy);
            generator.load_state_dict(new Dictionary<string, Tensor>(weights));
            times.Add(clock.Elapsed.TotalSeconds);
            foreach (var t in weights.Values) t.Dispose();
        }
        policy.Dispose();
        generator.Dispose();
        return Median(times.Skip(n / 10));
    }
}
