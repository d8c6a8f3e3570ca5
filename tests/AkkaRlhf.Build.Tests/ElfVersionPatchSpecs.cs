using System.Collections;
using System.Diagnostics;
using System.Runtime.Versioning;
using Microsoft.Build.Framework;
using TorchSharp;

namespace AkkaRlhf.Build.Tests;

/// <summary>
/// build/ElfVersionPatch.cs on the real libLibTorchSharp.so of TorchSharp-cpu 0.107.0, which requires
/// GLIBCXX_3.4.32 (Debian 12's libstdc++ stops at 3.4.30). The build (Directory.Build.targets) has
/// already patched the copy in this project's output where the system needs it; each spec works on a
/// copy in a scratch folder. Linux only, like the problem (the library is runtimes/linux-x64).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ElfVersionPatchSpecs : IDisposable
{
    const string Version = "GLIBCXX_3.4.32";
    const byte VerFlgWeak = 0x2;

    static readonly string BuiltLibrary =
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    readonly string scratch = Directory.CreateTempSubdirectory("elf-version-patch-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    /// <summary>A copy of the built library with the requirement strict again, i.e. as TorchSharp ships it.</summary>
    (string Path, byte[] Bytes, long FlagsAt) ShippedLibrary()
    {
        byte[] bytes = File.ReadAllBytes(BuiltLibrary);
        long flagsAt = ElfVersionPatch.FindRequirementFlags(bytes, Version);
        Assert.True(flagsAt > 0, $"{BuiltLibrary} should require {Version}");
        bytes[flagsAt] &= unchecked((byte)~VerFlgWeak);

        string path = Path.Combine(scratch, "libLibTorchSharp.so");
        File.WriteAllBytes(path, bytes);
        return (path, bytes, flagsAt);
    }

    [Fact]
    public void The_patch_sets_the_weak_flag_of_that_one_requirement_and_changes_no_other_byte()
    {
        var (library, shipped, flagsAt) = ShippedLibrary();
        string[]? versionsBefore = ReadElfVersions(library);

        Assert.Equal(VersionPatchResult.Patched, ElfVersionPatch.MarkVersionWeak(library, Version));

        byte[] patched = File.ReadAllBytes(library);
        Assert.Equal(shipped.Length, patched.Length);
        int[] changed = Enumerable.Range(0, shipped.Length).Where(i => shipped[i] != patched[i]).ToArray();
        Assert.Equal([(int)flagsAt], changed);
        Assert.Equal(VerFlgWeak, patched[flagsAt] ^ shipped[flagsAt]);

        // Cross-check with binutils where installed: only the GLIBCXX_3.4.32 line changes, to WEAK.
        if (versionsBefore is null)
            return;
        string[] versionsAfter = ReadElfVersions(library)!;
        var changedLines = versionsBefore.Zip(versionsAfter, (First, Second) => (First, Second)).Where(pair => pair.First != pair.Second).ToArray();
        var line = Assert.Single(changedLines);
        Assert.Contains($"Name: {Version}  Flags: none", line.First, StringComparison.Ordinal);
        Assert.Contains($"Name: {Version}  Flags: WEAK", line.Second, StringComparison.Ordinal);
    }

    [Fact]
    public void The_patch_keeps_the_permissions_and_the_modification_time()
    {
        var (library, _, _) = ShippedLibrary();
        File.SetUnixFileMode(library, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead);
        var written = new DateTime(2026, 5, 7, 10, 3, 28, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(library, written);

        ElfVersionPatch.MarkVersionWeak(library, Version);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead,
            File.GetUnixFileMode(library));
        Assert.Equal(written, File.GetLastWriteTimeUtc(library));
        Assert.Equal([Path.GetFileName(library)], Directory.GetFiles(scratch).Select(Path.GetFileName)); // no temporary left
    }

    [Fact]
    public void A_second_patch_reports_already_weak_and_leaves_the_file_alone()
    {
        var (library, _, _) = ShippedLibrary();
        ElfVersionPatch.MarkVersionWeak(library, Version);
        byte[] once = File.ReadAllBytes(library);
        File.SetLastWriteTimeUtc(library, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        Assert.Equal(VersionPatchResult.AlreadyWeak, ElfVersionPatch.MarkVersionWeak(library, Version));

        Assert.Equal(once, File.ReadAllBytes(library));
        Assert.Equal(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(library));
    }

    [Fact]
    public void A_version_the_library_does_not_require_is_reported_and_nothing_changes()
    {
        var (library, shipped, _) = ShippedLibrary();

        Assert.Equal(VersionPatchResult.NotRequired, ElfVersionPatch.MarkVersionWeak(library, "GLIBCXX_3.4.99"));
        Assert.Equal(VersionPatchResult.NotRequired, ElfVersionPatch.MarkVersionWeak(library, "GLIBCXX_3.4.3")); // a prefix of ...32

        Assert.Equal(shipped, File.ReadAllBytes(library));
    }

    [Fact]
    public void A_file_that_is_not_ELF64_little_endian_is_refused_with_a_clear_error()
    {
        string text = Path.Combine(scratch, "notes.txt");
        File.WriteAllText(text, "not a shared library");

        var error = Assert.Throws<InvalidDataException>(() => ElfVersionPatch.MarkVersionWeak(text, Version));

        Assert.Equal($"{text} is not an ELF64 little-endian file.", error.Message);
        Assert.Equal("not a shared library", File.ReadAllText(text));
    }

    [Fact]
    public void A_truncated_library_is_refused_as_malformed()
    {
        string truncated = Path.Combine(scratch, "truncated.so");
        File.WriteAllBytes(truncated, File.ReadAllBytes(BuiltLibrary)[..4096]); // the section table is at the end

        var error = Assert.Throws<InvalidDataException>(() => ElfVersionPatch.MarkVersionWeak(truncated, Version));

        Assert.StartsWith($"{truncated} is a malformed ELF file: offset ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_system_libstdcxx_is_found_and_its_version_definitions_are_read()
    {
        Assert.NotNull(ElfVersionPatch.FindSystemLibStdCxx());
        Assert.True(ElfVersionPatch.SystemLibStdCxxDefines("GLIBCXX_3.4"));    // every libstdc++.so.6 has it
        Assert.True(ElfVersionPatch.SystemLibStdCxxDefines("CXXABI_1.3"));
        Assert.False(ElfVersionPatch.SystemLibStdCxxDefines("GLIBCXX_3.4.999"));
    }

    [Fact]
    public void The_MSBuild_task_patches_its_files_where_the_system_lacks_the_version_and_logs_one_quiet_message()
    {
        var (library, shipped, flagsAt) = ShippedLibrary();
        var engine = new RecordingBuildEngine();
        var task = new MarkElfVersionWeak { BuildEngine = engine, Files = [new Microsoft.Build.Utilities.TaskItem(library)], VersionName = Version };

        Assert.True(task.Execute());

        var message = Assert.Single(engine.Messages);
        Assert.Equal(MessageImportance.Low, message.Importance);
        Assert.Empty(engine.Errors);
        bool systemHasIt = ElfVersionPatch.SystemLibStdCxxDefines(Version);
        Assert.Equal(systemHasIt ? shipped[flagsAt] : shipped[flagsAt] | VerFlgWeak, File.ReadAllBytes(library)[flagsAt]);
    }

    [Fact]
    public void The_MSBuild_task_fails_the_build_for_a_file_it_cannot_patch()
    {
        if (ElfVersionPatch.SystemLibStdCxxDefines(Version))
            return; // then the task touches no file at all
        string text = Path.Combine(scratch, "libLibTorchSharp.so");
        File.WriteAllText(text, "not a shared library");
        var engine = new RecordingBuildEngine();
        var task = new MarkElfVersionWeak { BuildEngine = engine, Files = [new Microsoft.Build.Utilities.TaskItem(text)], VersionName = Version };

        Assert.False(task.Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Contains("is not an ELF64 little-endian file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TorchSharp_loads_and_computes_in_this_process()
    {
        using var ones = torch.ones(2, 3);
        using var sum = ones.sum();

        Assert.Equal(6f, sum.item<float>());
    }

    /// <summary>The lines of `readelf -V --wide`, or null where binutils is not installed.</summary>
    static string[]? ReadElfVersions(string path)
    {
        try
        {
            using var readelf = Process.Start(new ProcessStartInfo("readelf", ["-V", "--wide", path]) { RedirectStandardOutput = true })!;
            string output = readelf.StandardOutput.ReadToEnd();
            readelf.WaitForExit();
            return output.Split('\n');
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Just enough of MSBuild's engine to run a task and keep what it logs.</summary>
    sealed class RecordingBuildEngine : IBuildEngine
    {
        public List<BuildMessageEventArgs> Messages { get; } = [];
        public List<BuildErrorEventArgs> Errors { get; } = [];

        public bool ContinueOnError => false;
        public int LineNumberOfTaskNode => 0;
        public int ColumnNumberOfTaskNode => 0;
        public string ProjectFileOfTaskNode => "AkkaRlhf.Build.Tests.csproj";

        public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Add(e);
        public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e);
        public void LogWarningEvent(BuildWarningEventArgs e) => throw new InvalidOperationException(e.Message);
        public void LogCustomEvent(CustomBuildEventArgs e) { }
        public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) =>
            throw new NotSupportedException();
    }
}
