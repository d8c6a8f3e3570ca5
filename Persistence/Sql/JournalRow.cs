namespace AkkaRlhf.Persistence.Sql;

/// <summary>One row of the <c>journal</c> table, as written.</summary>
internal readonly record struct JournalRow(string PersistenceId, long SequenceNr, string Manifest, byte[] Payload, long Timestamp);
