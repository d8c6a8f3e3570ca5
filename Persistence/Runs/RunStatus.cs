namespace AkkaRlhf.Persistence.Runs;

/// <summary>Where a run stands. The numbers are stored in the journal: never renumber.</summary>
public enum RunStatus
{
    /// <summary>Recorded but not started yet.</summary>
    Created = 0,

    /// <summary>Training.</summary>
    Running = 1,

    /// <summary>Stopped on purpose, can resume.</summary>
    Paused = 2,

    /// <summary>Finished normally.</summary>
    Completed = 3,

    /// <summary>Stopped by an error.</summary>
    Failed = 4,

    /// <summary>Stopped by the user, will not resume.</summary>
    Cancelled = 5,
}
