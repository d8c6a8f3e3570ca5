namespace AkkaRlhf.Persistence;

/// <summary>
/// Lists persistence ids (Akka.Persistence.Query's <c>CurrentPersistenceIds</c>, with a prefix filter).
/// Every journal of this project implements it; <c>RunCatalog</c> uses it to find runs.
/// </summary>
public interface IPersistenceIdsQuery
{
    /// <summary>The persistence ids that have events (or had, before deletion) and start with <paramref name="prefix"/>, sorted.</summary>
    Task<IReadOnlyList<string>> CurrentPersistenceIdsAsync(string prefix, CancellationToken cancellationToken = default);
}
