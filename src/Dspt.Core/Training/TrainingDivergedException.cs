namespace Dspt.Training;

/// <summary>The loss became NaN or infinite; nothing of the failing epoch is written.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
