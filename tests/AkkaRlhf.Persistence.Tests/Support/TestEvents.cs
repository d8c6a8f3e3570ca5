using AkkaRlhf.Runtime;
using AkkaRlhf.Runtime.Serialization;

namespace AkkaRlhf.Persistence.Tests.Support;

/// <summary>An allow-listed event.</summary>
public sealed record TestEvent(string Value);

/// <summary>An allow-listed snapshot.</summary>
public sealed record TestSnapshot(IReadOnlyList<string> Items, byte[] Blob);

/// <summary>A type that is NOT allow-listed: writing it is rejected.</summary>
public sealed record NotAllowListed(string Value);

/// <summary>Systems and allow-lists for the specs.</summary>
public static class TestSystems
{
    /// <summary>A quiet system with the spec types registered.</summary>
    public static ActorSystem Create(string name = "persistence-spec")
    {
        var system = ActorSystem.Create(name, ActorSystemSettings.Default.WithStdoutLogging(false));
        Register(system.Serialization);
        return system;
    }

    /// <summary>Registers the spec types.</summary>
    public static void Register(MessageSerialization serialization) =>
        serialization.Register<TestEvent>("test.event").Register<TestSnapshot>("test.snapshot");

    /// <summary>A fresh temporary SQLite file path (its folder is deleted by <see cref="DeleteSqlite"/>).</summary>
    public static string NewSqlitePath() =>
        Path.Combine(Directory.CreateTempSubdirectory("akka-rlhf-sqlite-").FullName, "journal.db");

    /// <summary>Deletes the folder of a path made by <see cref="NewSqlitePath"/>.</summary>
    public static void DeleteSqlite(string path)
    {
        try { Directory.Delete(Path.GetDirectoryName(path)!, recursive: true); } catch (IOException) { }
    }
}
