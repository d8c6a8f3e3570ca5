// Marks one symbol-version requirement of an ELF shared library weak, so that the dynamic loader
// accepts a system library that lacks that version.
//
// Why: TorchSharp-cpu 0.107.0 ships libLibTorchSharp.so built with GCC 13. GCC 13 makes every
// object that includes <iostream> reference std::ios_base_library_init@GLIBCXX_3.4.32, only to pin
// the libstdc++ version; the symbol is never called. Debian 12's libstdc++ stops at GLIBCXX_3.4.30,
// so dlopen refuses the library ("version `GLIBCXX_3.4.32' not found") and TorchSharp cannot load.
// With VER_FLG_WEAK set on that one requirement the loader only warns about it (ldd shows the
// warning) and everything else is still version-checked as before.
//
// This file is used twice, so it is written for both compilers:
//  - Directory.Build.targets compiles it with RoslynCodeTaskFactory (<Code Type="Class">), which
//    takes the whole file but compiles it against netstandard 2.0 and the MSBuild reference
//    assemblies: no Span, no BinaryPrimitives, no File.Move(overwrite); hence byte[] and File.Replace.
//  - tests/AkkaRlhf.Build.Tests compiles it as ordinary net10.0 source (nullable, warnings as errors).
// The ELF layout (all little-endian, ELF64 only) is in the comments next to each read; see also
// elf(5) and the LSB "Symbol Versioning" chapter.

#nullable enable

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Microsoft.Build.Framework;

namespace AkkaRlhf.Build
{
    /// <summary>What <see cref="ElfVersionPatch.MarkVersionWeak"/> did to a file.</summary>
    public enum VersionPatchResult
    {
        /// <summary>The requirement was strict and is now weak; one byte of the file changed.</summary>
        Patched,
        /// <summary>The requirement was weak already; the file was not touched.</summary>
        AlreadyWeak,
        /// <summary>The file does not require that version at all; the file was not touched.</summary>
        NotRequired,
    }

    /// <summary>Reads and edits the symbol-version sections of ELF64 little-endian files.</summary>
    public static class ElfVersionPatch
    {
        const uint ShtGnuVerdef = 0x6ffffffd;  // .gnu.version_d: versions a library defines
        const uint ShtGnuVerneed = 0x6ffffffe; // .gnu.version_r: versions a library requires
        const ushort VerFlgWeak = 0x2;

        /// <summary>Where the system's libstdc++ usually lives; ldconfig's cache is asked after these.</summary>
        static readonly string[] LibStdCxxCandidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/lib64/libstdc++.so.6",
        };

        /// <summary>
        /// Sets VER_FLG_WEAK on the requirement of <paramref name="version"/> (e.g. "GLIBCXX_3.4.32") in
        /// the ELF64 LE file at <paramref name="path"/>. Only when it changes something is the file
        /// rewritten: through a sibling temporary file and a rename, keeping its permissions and its
        /// modification time (so MSBuild's incremental copy, which compares size and time, sees the
        /// file as up to date and leaves the patched copy alone; and so a hard or symbolic link into
        /// the NuGet cache is replaced, never written through).
        /// </summary>
        /// <exception cref="InvalidDataException">The file is not ELF64 little-endian, or is malformed.</exception>
        public static VersionPatchResult MarkVersionWeak(string path, string version)
        {
            byte[] image = File.ReadAllBytes(path);
            long flagsAt = FindRequirementFlags(image, version, path);
            if (flagsAt < 0)
                return VersionPatchResult.NotRequired;

            ushort flags = ReadU16(image, flagsAt, path);
            if ((flags & VerFlgWeak) != 0)
                return VersionPatchResult.AlreadyWeak;

            flags |= VerFlgWeak;
            string temporary = path + ".weak-" + Guid.NewGuid().ToString("N");
            try
            {
                File.Copy(path, temporary); // a copy keeps the permission bits (the .so is executable)
                using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.Write))
                {
                    stream.Position = flagsAt;
                    stream.Write(new[] { (byte)flags, (byte)(flags >> 8) }, 0, 2);
                }
                File.SetLastWriteTimeUtc(temporary, File.GetLastWriteTimeUtc(path));
                File.Replace(temporary, path, destinationBackupFileName: null); // rename(2) on Unix
            }
            finally
            {
                if (File.Exists(temporary))
                    File.Delete(temporary);
            }
            return VersionPatchResult.Patched;
        }

        /// <summary>
        /// The file offset of the 16-bit vna_flags of the requirement of <paramref name="version"/> in
        /// an ELF64 LE image, or -1 when the image requires no such version.
        /// </summary>
        /// <exception cref="InvalidDataException">The image is not ELF64 little-endian, or is malformed.</exception>
        public static long FindRequirementFlags(byte[] image, string version, string source = "the image")
        {
            foreach (Section verneed in Sections(image, source, ShtGnuVerneed))
            {
                long strings = Section.Read(image, verneed.Link, source).Offset;
                // sh_info Elf64_Verneed entries, one per library: {u16 vn_version, u16 vn_cnt,
                // u32 vn_file, u32 vn_aux, u32 vn_next}; vn_aux and vn_next are relative offsets.
                long need = verneed.Offset;
                for (uint i = 0; i < verneed.Info; i++)
                {
                    // vn_cnt Elf64_Vernaux entries, one per version of that library:
                    // {u32 vna_hash, u16 vna_flags, u16 vna_other, u32 vna_name, u32 vna_next}.
                    long aux = need + ReadU32(image, need + 8, source);
                    for (int j = 0, count = ReadU16(image, need + 2, source); j < count; j++)
                    {
                        if (NameIs(image, strings + ReadU32(image, aux + 8, source), version, source))
                            return aux + 4;
                        aux += ReadU32(image, aux + 12, source);
                    }
                    need += ReadU32(image, need + 12, source);
                }
            }
            return -1;
        }

        /// <summary>Whether the ELF64 LE library at <paramref name="path"/> defines <paramref name="version"/>.</summary>
        /// <exception cref="InvalidDataException">The file is not ELF64 little-endian, or is malformed.</exception>
        public static bool DefinesVersion(string path, string version)
        {
            byte[] image = File.ReadAllBytes(path);
            foreach (Section verdef in Sections(image, path, ShtGnuVerdef))
            {
                long strings = Section.Read(image, verdef.Link, path).Offset;
                // sh_info Elf64_Verdef entries: {u16 vd_version, u16 vd_flags, u16 vd_ndx, u16 vd_cnt,
                // u32 vd_hash, u32 vd_aux, u32 vd_next}; the first Elf64_Verdaux {u32 vda_name,
                // u32 vda_next} names the version itself (any further ones name its parents).
                long def = verdef.Offset;
                for (uint i = 0; i < verdef.Info; i++)
                {
                    long aux = def + ReadU32(image, def + 12, path);
                    if (NameIs(image, strings + ReadU32(image, aux, path), version, path))
                        return true;
                    def += ReadU32(image, def + 16, path);
                }
            }
            return false;
        }

        /// <summary>The system's libstdc++.so.6 (resolved through symlinks by the reader), or null.</summary>
        public static string? FindSystemLibStdCxx()
        {
            foreach (string candidate in LibStdCxxCandidates)
                if (File.Exists(candidate))
                    return candidate;

            // ldconfig -p lines look like "	libstdc++.so.6 (libc6,x86-64) => /usr/lib/.../libstdc++.so.6".
            // On a multilib system the 32-bit copy is listed too; only an ELF64 one is of use here.
            foreach (string line in Run("ldconfig", "-p"))
            {
                int arrow = line.IndexOf("=>", StringComparison.Ordinal);
                if (arrow < 0 || !line.TrimStart().StartsWith("libstdc++.so.6 ", StringComparison.Ordinal))
                    continue;
                string library = line.Substring(arrow + 2).Trim();
                if (File.Exists(library) && IsElf64LittleEndian(library))
                    return library;
            }
            return null;
        }

        /// <summary>
        /// Whether the system's libstdc++ defines <paramref name="version"/>; then a library requiring
        /// it loads as shipped and nothing needs patching. False when no libstdc++ is found.
        /// </summary>
        public static bool SystemLibStdCxxDefines(string version)
        {
            string? library = FindSystemLibStdCxx();
            return library != null && DefinesVersion(library, version);
        }

        /// <summary>A section header: Elf64_Shdr, 64 bytes, of which these fields are used.</summary>
        readonly struct Section
        {
            public readonly uint Type;  // sh_type   @ 4
            public readonly long Offset; // sh_offset @ 24
            public readonly uint Link;  // sh_link   @ 40: for the version sections, the string table
            public readonly uint Info;  // sh_info   @ 44: for the version sections, the entry count

            Section(uint type, long offset, uint link, uint info)
            {
                Type = type;
                Offset = offset;
                Link = link;
                Info = info;
            }

            public static Section Read(byte[] image, uint index, string source)
            {
                // e_shoff @ 0x28 (u64), e_shentsize @ 0x3A (u16), e_shnum @ 0x3C (u16).
                if (index >= Count(image, source))
                    throw Malformed(source, "section " + index + " does not exist");
                long header = (long)ReadU64(image, 0x28, source) + index * (long)ReadU16(image, 0x3A, source);
                return new Section(
                    ReadU32(image, header + 4, source),
                    (long)ReadU64(image, header + 24, source),
                    ReadU32(image, header + 40, source),
                    ReadU32(image, header + 44, source));
            }

            public static uint Count(byte[] image, string source)
            {
                long table = (long)ReadU64(image, 0x28, source);
                uint count = ReadU16(image, 0x3C, source);
                // No section table: e_shoff is 0. With 0xff00 sections or more, e_shnum is 0 and
                // section 0's sh_size holds the count.
                if (table == 0)
                    return 0;
                return count == 0 ? (uint)ReadU64(image, table + 32, source) : count;
            }
        }

        static IEnumerable<Section> Sections(byte[] image, string source, uint type)
        {
            RequireElf64LittleEndian(image, source);
            for (uint i = 0, count = Section.Count(image, source); i < count; i++)
            {
                Section section = Section.Read(image, i, source);
                if (section.Type == type)
                    yield return section;
            }
        }

        static bool IsElf64LittleEndian(string path)
        {
            var ident = new byte[6];
            using (var stream = File.OpenRead(path))
                return stream.Read(ident, 0, ident.Length) == ident.Length && HasElf64LittleEndianIdent(ident);
        }

        // e_ident starts with "\x7fELF", EI_CLASS = 2 (ELFCLASS64) and EI_DATA = 1 (ELFDATA2LSB).
        static bool HasElf64LittleEndianIdent(byte[] start) =>
            start.Length >= 6 && start[0] == 0x7f && start[1] == 'E' && start[2] == 'L' && start[3] == 'F'
            && start[4] == 2 && start[5] == 1;

        static void RequireElf64LittleEndian(byte[] image, string source)
        {
            if (!HasElf64LittleEndianIdent(image))
                throw new InvalidDataException(source + " is not an ELF64 little-endian file.");
        }

        /// <summary>Whether the NUL-terminated string at <paramref name="at"/> is <paramref name="name"/>.</summary>
        static bool NameIs(byte[] image, long at, string name, string source)
        {
            for (int i = 0; i < name.Length; i++)
                if (ReadU8(image, at + i, source) != name[i])
                    return false;
            return ReadU8(image, at + name.Length, source) == 0;
        }

        static byte ReadU8(byte[] image, long at, string source) =>
            at >= 0 && at < image.Length ? image[at] : throw Malformed(source, "offset " + at + " is past its end");

        static ushort ReadU16(byte[] image, long at, string source) =>
            (ushort)(ReadU8(image, at, source) | ReadU8(image, at + 1, source) << 8);

        static uint ReadU32(byte[] image, long at, string source) =>
            ReadU16(image, at, source) | (uint)ReadU16(image, at + 2, source) << 16;

        static ulong ReadU64(byte[] image, long at, string source) =>
            ReadU32(image, at, source) | (ulong)ReadU32(image, at + 4, source) << 32;

        static InvalidDataException Malformed(string source, string detail) =>
            new InvalidDataException(source + " is a malformed ELF file: " + detail + ".");

        static IEnumerable<string> Run(string program, string arguments)
        {
            var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, UseShellExecute = false };
            string output;
            try
            {
                using (Process process = Process.Start(start)!)
                {
                    output = process.StandardOutput.ReadToEnd();
                    process.WaitForExit();
                }
            }
            catch (System.ComponentModel.Win32Exception) // not installed
            {
                return Array.Empty<string>();
            }
            return output.Split('\n');
        }
    }

    /// <summary>
    /// MSBuild task: marks <see cref="VersionName"/> weak in each of <see cref="Files"/>, unless the
    /// system's libstdc++ defines it (then the files load as shipped and are left alone). Logs one
    /// low-importance message; a file it cannot read or patch is a build error.
    /// </summary>
    public sealed class MarkElfVersionWeak : Microsoft.Build.Utilities.Task
    {
        /// <summary>The ELF libraries to patch.</summary>
        [Required]
        public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>The version requirement to weaken, e.g. GLIBCXX_3.4.32.</summary>
        [Required]
        public string VersionName { get; set; } = "";

        public override bool Execute()
        {
            if (ElfVersionPatch.SystemLibStdCxxDefines(VersionName))
            {
                Log.LogMessage(MessageImportance.Low,
                    "The system libstdc++ defines {0}; {1} file(s) left as shipped.", VersionName, Files.Length);
                return true;
            }

            var outcomes = new List<string>();
            foreach (ITaskItem file in Files)
            {
                try
                {
                    VersionPatchResult result = ElfVersionPatch.MarkVersionWeak(file.ItemSpec, VersionName);
                    outcomes.Add(file.ItemSpec + " " + result); // Patched, AlreadyWeak or NotRequired
                }
                catch (Exception e) when (e is InvalidDataException || e is IOException || e is UnauthorizedAccessException)
                {
                    Log.LogError("Could not mark {0} weak in {1}: {2}", VersionName, file.ItemSpec, e.Message);
                }
            }
            Log.LogMessage(MessageImportance.Low,
                "The system libstdc++ lacks {0}; marking that requirement weak: {1}.", VersionName, string.Join("; ", outcomes));
            return !Log.HasLoggedErrors;
        }
    }
}
