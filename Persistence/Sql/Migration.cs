namespace AkkaRlhf.Persistence.Sql;

/// <summary>One step of a database's schema: applied once, in version order, recorded in <c>schema_version</c>.</summary>
/// <param name="Version">1, 2, 3...: the order of application.</param>
/// <param name="Description">What the step does (stored beside the version).</param>
/// <param name="Statements">The DDL statements, run in one transaction.</param>
public sealed record Migration(int Version, string Description, IReadOnlyList<string> Statements);
