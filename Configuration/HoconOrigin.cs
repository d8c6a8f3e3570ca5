namespace AkkaRlhf.Configuration;

/// <summary>Where a value was written: a file (or other source description), line and column (1-based).</summary>
/// <param name="Source">A file path, "string", "environment variable X", ...</param>
/// <param name="Line">1-based line, or 0 when unknown.</param>
/// <param name="Column">1-based column, or 0 when unknown.</param>
public sealed record HoconOrigin(string Source, int Line, int Column)
{
    /// <summary>"file:line:column", or just the source when the position is unknown.</summary>
    public override string ToString() => Line > 0 ? $"{Source}:{Line}:{Column}" : Source;
}
