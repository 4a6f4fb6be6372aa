namespace Dspt.Pretraining;

/// <summary>Contrastive pretraining hyper-parameters (CLIP's recipe at toy scale).</summary>
public sealed record PretrainConfig(
    int Steps = 3000,
    int BatchSize = 128,
    double LearningRate = 1e-3,
    double WeightDecay = 0.1,
    int WarmupSteps = 100,
    double Beta1 = 0.9,
    double Beta2 = 0.98,
    double Eps = 1e-6,
    int CheckpointEvery = 200,
    long Seed = 0);
