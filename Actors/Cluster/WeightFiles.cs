using System.Security.Cryptography;
using AkkaRlhf.Models;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Cluster;

/// <summary>
/// Policy weights as safetensors with their SHA-256: written whole or not at all, verified on read. Files are written and
/// read straight between the tensors' memory and the file, hashing on the way (no copy of the whole in between).
/// </summary>
public static class WeightFiles
{
    /// <summary>
    /// Writes the safetensors bytes of <paramref name="state"/> into <paramref name="buffer"/> when they fit (a new array
    /// otherwise); returns the array and how many bytes of it were written.
    /// </summary>
    public static (byte[] Buffer, long Length) WriteInto(byte[]? buffer, IReadOnlyDictionary<string, Tensor> state)
    {
        var header = 64L + state.Sum(kv => 160L + 6L * kv.Key.Length + 24L * kv.Value.shape.Length);    // more than any header: names JSON-escaped, dtype, shape, offsets
        var needed = checked((int)(state.Values.Sum(t => t.NumberOfElements * t.ElementSize) + header));
        if (buffer is null || buffer.Length < needed) buffer = new byte[needed];
        using var stream = new MemoryStream(buffer, writable: true);
        Checkpoint.WriteSafetensors(stream, state.Select(kv => (kv.Key, kv.Value)));
        return (buffer, stream.Position);
    }

    /// <summary>The state dict in safetensors <paramref name="data"/> (the first <paramref name="length"/> bytes), read straight into new CPU tensors.</summary>
    /// <exception cref="InvalidDataException">Not a safetensors state dict.</exception>
    public static Dictionary<string, Tensor> StateOf(byte[] data, long length) => Read(new MemoryStream(data, 0, checked((int)length), writable: false), length);

    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <exception cref="InvalidDataException">The hashes differ (the message names <paramref name="what"/>).</exception>
    public static void Check(string actual, string announced, string what)
    {
        if (!actual.Equals(announced, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{what}: sha256 {actual[..12]} is not the announced {announced[..Math.Min(12, announced.Length)]}");
    }

    /// <summary>
    /// Writes <paramref name="state"/> to <paramref name="path"/> under a temporary name, then renames it (a reader never
    /// sees half a file); returns the file's SHA-256.
    /// </summary>
    public static string WriteWhole(string path, IReadOnlyDictionary<string, Tensor> state)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        using var sha = SHA256.Create();
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var hashing = new CryptoStream(file, sha, CryptoStreamMode.Write))
                Checkpoint.WriteSafetensors(hashing, state.Select(kv => (kv.Key, kv.Value)));
            File.Move(temp, path, overwrite: true);
        }
        finally { File.Delete(temp); }                                                  // gone after the rename; a failed write leaves nothing
        return Convert.ToHexStringLower(sha.Hash!);
    }

    /// <summary>
    /// Reads the state dict in <paramref name="path"/> and verifies the file against <paramref name="sha256"/> (tensors
    /// of a file that fails are freed); shared storage may show a new file late, so a missing file is tried again for up
    /// to <paramref name="patience"/> (default 30 s).
    /// </summary>
    /// <exception cref="InvalidDataException">The hash differs or the file is not a safetensors state dict.</exception>
    public static Dictionary<string, Tensor> ReadVerified(string path, string sha256, TimeSpan? patience = null)
    {
        var until = DateTime.UtcNow + (patience ?? TimeSpan.FromSeconds(30));
        while (!File.Exists(path) && DateTime.UtcNow < until) Thread.Sleep(100);
        using var sha = SHA256.Create();
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Dictionary<string, Tensor> state;
        using var hashing = new CryptoStream(file, sha, CryptoStreamMode.Read, leaveOpen: true);
        state = Read(hashing, file.Length);
        try
        {
            hashing.CopyTo(Stream.Null);                                                // to the end: the whole file is hashed
            Check(Convert.ToHexStringLower(sha.Hash!), sha256, path);
        }
        catch
        {
            foreach (var t in state.Values) t.Dispose();
            throw;
        }
        return state;
    }

    private static Dictionary<string, Tensor> Read(Stream stream, long length)
    {
        try { return Checkpoint.ReadSafetensors(stream, length); }
        catch (Exception e) { throw new InvalidDataException($"not a safetensors state dict ({e.Message})", e); }
    }
}
