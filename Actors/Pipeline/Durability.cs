using System.Security.Cryptography;
using System.Text.Json;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Data;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// Where a durable stage records its progress: the host implements it over the run journal
/// (<c>RunRecorder</c>); the calls that return nothing are fire-and-forget, in order.
/// </summary>
public interface IRunLog
{
    /// <summary>An iteration (PPO) or step (DPO) finished with the policy at <paramref name="policyVersion"/>.</summary>
    void Iteration(long iteration, long policyVersion, IReadOnlyDictionary<string, double> metrics);

    /// <summary>A data source was read up to this position.</summary>
    void DataCursor(string source, int epoch, long offset);

    /// <summary>A generator's state at the last checkpoint.</summary>
    void Rng(string name, byte[] state);

    /// <summary>A checkpoint folder was committed; returns the older checkpoint folders to delete (retention).</summary>
    Task<IReadOnlyList<string>> CheckpointAsync(string path, string sha256, long step);

    /// <summary>
    /// The checkpoint folders the journal held when the stage (re)started. A resume uses only these: a folder
    /// committed on disk whose record never reached the journal (a kill in between) follows iterations that
    /// were not journaled either.
    /// </summary>
    IReadOnlyCollection<string> JournaledCheckpoints { get; }
}

/// <summary>
/// Makes a PPO or DPO stage durable: progress goes to <paramref name="Log"/>, a checkpoint of everything the next
/// iteration depends on goes under <paramref name="CheckpointRoot"/> every <paramref name="Every"/> iterations and
/// at the end. With <paramref name="Resume"/>, the stage restarts from the newest valid checkpoint there (a corrupt
/// one is reported to <paramref name="Warn"/> and the previous one is used).
/// </summary>
public sealed record Durability(IRunLog Log, string CheckpointRoot, int Every = 5, bool Resume = false, Action<string>? Warn = null);

/// <summary>
/// The stage-level state of a checkpoint (<c>state.json</c>): the iteration it was taken after, the data cursor,
/// scalars (batch id, policy version, KL beta, last metrics...) and the <see cref="SeededRandom"/> states by role.
/// </summary>
public sealed record StageState(long Iteration, int CursorEpoch, int CursorOffset,
    Dictionary<string, double> Values, Dictionary<string, ulong[]> Rngs)
{
    public DataCursor Cursor => new(CursorEpoch, CursorOffset);
}

/// <summary>A checkpoint to resume from: its folder and its state.</summary>
public sealed record StageResume(string Dir, StageState State);

/// <summary>
/// Checkpoint folders of a durable stage: <c>ROOT/step-NNNNNN/</c> holding one <see cref="Checkpoint"/> folder per
/// trained model (<c>policy/</c>, <c>critic/</c>), <c>state.json</c> and <c>checkpoint.sha256</c> (the sha256 over
/// state.json and the models' manifests, also recorded in the journal's CheckpointSaved). A folder is written under a
/// temporary name and renamed when complete, so a kill leaves either the whole checkpoint or none.
/// </summary>
public static class StageCheckpoints
{
    private const string StateFile = "state.json", ShaFile = "checkpoint.sha256", Prefix = "step-";

    /// <summary>The temporary and final folder of the checkpoint after <paramref name="iteration"/>.</summary>
    public static (string Temp, string Final) Begin(string root, long iteration)
    {
        Directory.CreateDirectory(root);
        var final = Path.Combine(Path.GetFullPath(root), $"{Prefix}{iteration:D6}");
        var temp = Path.Combine(Path.GetFullPath(root), $".{Prefix}{iteration:D6}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        return (temp, final);
    }

    /// <summary>Writes state.json and the combined sha256 into <paramref name="temp"/>, then renames it to <paramref name="final"/>; returns the sha256.</summary>
    public static string Commit(string temp, string final, StageState state)
    {
        File.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(state));
        var sha = ShaOf(temp);
        File.WriteAllText(Path.Combine(temp, ShaFile), sha);
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(temp, final);
        return sha;
    }

    /// <summary>
    /// The newest checkpoint under <paramref name="root"/> whose files all match their hashes (every model folder is
    /// loaded and verified), or null when there is none; each corrupt newer one is reported to <paramref name="warn"/>.
    /// </summary>
    public static StageResume? FindLatest(string root, IReadOnlyCollection<string> journaled, Action<string>? warn = null)
    {
        if (!Directory.Exists(root)) return null;
        var dirs = Directory.GetDirectories(root, Prefix + "*").Where(d => Path.GetFileName(d).StartsWith(Prefix, StringComparison.Ordinal))
            .OrderByDescending(d => Path.GetFileName(d), StringComparer.Ordinal);
        foreach (var dir in dirs)
        {
            if (!journaled.Contains(Path.GetFullPath(dir)))
            {
                warn?.Invoke($"warning: checkpoint {dir} was written but not journaled before the run stopped; using an earlier one");
                continue;
            }
            try { return new StageResume(dir, Verify(dir)); }
            catch (Exception e) when (e is CheckpointCorruptException or IOException or JsonException or InvalidDataException)
            {
                warn?.Invoke($"warning: checkpoint {dir} is unusable ({e.Message}); falling back to the previous one");
            }
        }
        return null;
    }

    /// <summary>Checks <paramref name="dir"/>'s combined sha256 and every model's files; returns its state.</summary>
    public static StageState Verify(string dir)
    {
        var shaPath = Path.Combine(dir, ShaFile);
        if (!File.Exists(shaPath)) throw new CheckpointCorruptException($"checkpoint {dir}: no {ShaFile}");
        if (File.ReadAllText(shaPath).Trim() != ShaOf(dir))
            throw new CheckpointCorruptException($"checkpoint {dir}: state.json or a model manifest does not match {ShaFile}");
        foreach (var model in Directory.GetDirectories(dir)) Checkpoint.Load(model).Dispose();   // verifies every file's sha256
        return JsonSerializer.Deserialize<StageState>(File.ReadAllText(Path.Combine(dir, StateFile)))
            ?? throw new InvalidDataException($"checkpoint {dir}: empty {StateFile}");
    }

    /// <summary>State as bytes for the journal's RngStateSaved.</summary>
    public static byte[] Bytes(ulong[] state) => state.SelectMany(BitConverter.GetBytes).ToArray();

    private static string ShaOf(string dir)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var state = Path.Combine(dir, StateFile);
        if (!File.Exists(state)) throw new CheckpointCorruptException($"checkpoint {dir}: no {StateFile}");
        sha.AppendData(File.ReadAllBytes(state));
        foreach (var model in Directory.GetDirectories(dir).OrderBy(d => d, StringComparer.Ordinal))
        {
            var manifest = Path.Combine(model, "manifest.json");
            if (!File.Exists(manifest)) throw new CheckpointCorruptException($"checkpoint {model}: no manifest.json");
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(model)));
            sha.AppendData(File.ReadAllBytes(manifest));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
