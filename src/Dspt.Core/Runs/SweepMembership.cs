namespace Dspt.Runs;

/// <summary>
/// Which sweep a run belongs to: its id (hash of its resolved settings), the plan's name and hash,
/// and the names tables show for its dataset, model and method. Not part of the run's fingerprint:
/// a plan that grows keeps resuming the runs it already had.
/// </summary>
public sealed record SweepMembership(string RunId, string PlanName, string PlanHash, string DatasetName, string ModelName, string MethodName);
