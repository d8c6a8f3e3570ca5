namespace AkkaRlhf.Persistence.Sql;

/// <summary>Options of <see cref="SqliteDatabase"/> (HOCON: <c>akka.persistence.sqlite.*</c>).</summary>
/// <param name="Path">The database file (<c>path</c>); its folder is created when missing.</param>
public sealed record SqliteOptions(string Path)
{
    /// <summary>How long a connection waits for a lock held by another process (<c>busy-timeout</c>). Default 5 s.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <c>synchronous = full</c>: fsync at every commit (survives power loss). Default off (<c>normal</c>): in WAL mode
    /// a commit survives a crash of the process, and the last commits may be lost on power loss.
    /// </summary>
    public bool SynchronousFull { get; init; }
}
