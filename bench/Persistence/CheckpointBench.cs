using System.Diagnostics;
using AkkaRlhf.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AkkaRlhf.Persistence.Bench;

/// <summary>
/// Models <see cref="Checkpoint"/> save/load throughput beside a plain copy of the same bytes: save
/// (<c>Checkpoint.Save</c>: safetensors, sha256 manifest, fsync, atomic rename) vs File.Copy of the saved files plus an
/// fsync of each copy; load (<c>Checkpoint.Load</c>, which verifies every sha256, + <c>Restore</c> into a fresh model and
/// AdamW) vs File.ReadAllBytes of the same files. Best of <c>repeats</c> each, in one run.
/// </summary>
internal static class CheckpointBench
{
    public static void Run(int repeats)
    {
        var config = new GptConfig { VocabSize = 8192, BlockSize = 256, NLayer = 3, NHead = 8, NEmbd = 512 }.Validate();
        var folder = Directory.CreateTempSubdirectory("akka-rlhf-ckpt-bench-").FullName;
        try
        {
            using var init = new Generator(1);
            using var model = new GptLM(config, init);
            using var optimizer = new AdamW(model.parameters(), lr: 1e-4);
            using var sampling = new Generator(2);
            long parameters;
            using (torch.NewDisposeScope())
            {
                parameters = ParameterCount.Of(model);
                var ids = torch.randint(0, config.VocabSize, [2, 64], generator: sampling);
                var loss = -LogProbs.Shifted(model.forward(ids), ids).mean();
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();                                                     // AdamW now has exp_avg/exp_avg_sq
            }
            var generators = new Dictionary<string, Generator> { ["sampling"] = sampling };
            var tokenizer = new ByteTokenizer();

            var ckpt = Path.Combine(folder, "ckpt");
            Checkpoint.Save(ckpt, model, config, optimizer, 1, generators, tokenizer); // warm-up (JIT, allocator)
            var files = Directory.GetFiles(ckpt);
            var bytes = files.Sum(f => new FileInfo(f).Length);
            var mb = bytes / 1e6;

            double BestSeconds(Action action)
            {
                var best = double.MaxValue;
                for (var i = 0; i < repeats; i++)
                {
                    var clock = Stopwatch.StartNew();
                    action();
                    best = Math.Min(best, clock.Elapsed.TotalSeconds);
                }
                return best;
            }

            var save = BestSeconds(() => Checkpoint.Save(ckpt, model, config, optimizer, 1, generators, tokenizer));
            var copyDir = Path.Combine(folder, "copy");
            var copy = BestSeconds(() =>
            {
                if (Directory.Exists(copyDir)) Directory.Delete(copyDir, recursive: true);
                Directory.CreateDirectory(copyDir);
                foreach (var f in Directory.GetFiles(ckpt))
                {
                    var target = Path.Combine(copyDir, Path.GetFileName(f));
                    File.Copy(f, target);
                    using var s = new FileStream(target, FileMode.Open, FileAccess.ReadWrite);
                    s.Flush(flushToDisk: true);
                }
            });

            using var freshInit = new Generator(3);
            using var fresh = new GptLM(config, freshInit);
            using var freshOptimizer = new AdamW(fresh.parameters(), lr: 1e-4);
            using var freshSampling = new Generator(4);
            var freshGenerators = new Dictionary<string, Generator> { ["sampling"] = freshSampling };
            var load = BestSeconds(() =>
            {
                using var loaded = Checkpoint.Load(ckpt);
                loaded.Restore(fresh, freshOptimizer, freshGenerators);
            });
            long read = 0;
            var readBack = BestSeconds(() =>
            {
                read = 0;
                foreach (var f in Directory.GetFiles(copyDir)) read += File.ReadAllBytes(f).Length;
            });
            if (read != bytes) throw new InvalidOperationException($"read back {read} bytes, expected {bytes}");
            using (torch.NewDisposeScope())
            {
                var original = model.state_dict();
                foreach (var (k, t) in fresh.state_dict())
                    if (!t.data<float>().ToArray().AsSpan().SequenceEqual(original[k].data<float>().ToArray())) throw new InvalidOperationException($"restored {k} differs");
            }

            Console.WriteLine($"Checkpoint bench ({Environment.ProcessorCount} cores, .NET {Environment.Version}): GptLM n_layer {config.NLayer}, n_embd {config.NEmbd}, vocab {config.VocabSize}, block {config.BlockSize}: " +
                $"{parameters:N0} float32 parameters ({parameters * 4 / 1e6:N1} MB) + AdamW state after one step; checkpoint folder {files.Length} files, {mb:N1} MB; best of {repeats}");
            Console.WriteLine();
            Console.WriteLine("| operation | Models Checkpoint | plain file copy | ratio | baseline is |");
            Console.WriteLine("|---|---|---|---|---|");
            Console.WriteLine($"| save (MB/s) | {mb / save:N0} ({save * 1000:N0} ms) | {mb / copy:N0} ({copy * 1000:N0} ms) | {copy / save:0.00}x | File.Copy of the saved files + FileStream.Flush(true) of each copy |");
            Console.WriteLine($"| load (MB/s) | {mb / load:N0} ({load * 1000:N0} ms) | {mb / readBack:N0} ({readBack * 1000:N0} ms) | {readBack / load:0.00}x | File.ReadAllBytes of the copied files |");
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
