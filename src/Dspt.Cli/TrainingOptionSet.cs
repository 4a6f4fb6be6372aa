using System.CommandLine;
using System.Globalization;
using Dspt.Objectives;

namespace Dspt.Cli;

/// <summary>
/// What a prompt is trained with, declared once for `dspt train` and `dspt suspects` (its fold
/// prompts): --shots/-k, --noise, --loss, --seed, --epochs, --lr, --batch-size, --views, --n-ctx.
/// Values out of range are errors naming the option, checked before anything is read.
/// </summary>
public sealed class TrainingOptionSet
{
    public Option<string> Shots { get; } = CommonOptions.Shots("training images per class, or 'all'", "16");
    public Option<string> Noise { get; } = new("--noise") { Description = "label noise: none, sym:R, asym:R (R a fraction or %), symflip:M, pairflip:M", DefaultValueFactory = _ => "none" };
    public Option<string> Loss { get; } = new("--loss") { Description = $"training loss or objective: {string.Join(", ", TrainingObjectives.Names)}", DefaultValueFactory = _ => "dspt" };
    public Option<int> Seed { get; } = new("--seed") { Description = "seed of the few-shot draw, the noise, the prompt init, shuffling and augmentation", DefaultValueFactory = _ => 1 };
    public Option<int?> Epochs { get; } = new("--epochs") { Description = "epochs, default by shots as CoOp: 16/8 (and all) -> 200, 4/2 -> 100, 1 -> 50" };
    public Option<double> Lr { get; } = new("--lr") { Description = "learning rate after the warm-up epoch (cosine-annealed)", DefaultValueFactory = _ => 0.002 };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "batch size; the last incomplete batch is dropped", DefaultValueFactory = _ => 32 };
    public Option<int> Views { get; } = new("--views") { Description = "augmented views (random resized crop + flip) encoded per training image, each epoch draws one; 0 = no augmentation", DefaultValueFactory = _ => 8 };
    public Option<int> NCtx { get; } = new("--n-ctx") { Description = "number of learned context vectors", DefaultValueFactory = _ => 16 };

    public IReadOnlyList<Option> All => [Shots, Noise, Loss, Seed, Epochs, Lr, BatchSize, Views, NCtx];

    /// <summary>Shots per class; 0 for all.</summary>
    public int ShotsOf(ParseResult parse) => CommonOptions.ParseShots(parse.GetValue(Shots)!);

    /// <summary>The epochs CoOp uses for that many shots (all: as for 8 and more).</summary>
    public static int DefaultEpochs(int shots) => Training.TrainConfig.EpochsForShots(shots == 0 ? int.MaxValue : shots);

    /// <summary>Checks the numeric options given (or defaulted) against their ranges, in option names.</summary>
    public void Validate(ParseResult parse)
    {
        if (parse.GetValue(Epochs) is int e) CommonOptions.AtLeast(Epochs.Name, e, 1);
        double lr = parse.GetValue(Lr);
        if (!(lr > 0 && double.IsFinite(lr))) throw new InvalidInputException($"{Lr.Name} must be a finite number above 0 (got {lr.ToString(CultureInfo.InvariantCulture)})");
        CommonOptions.AtLeast(BatchSize.Name, parse.GetValue(BatchSize), 1);
        CommonOptions.AtLeast(Views.Name, parse.GetValue(Views), 0);
        CommonOptions.AtLeast(NCtx.Name, parse.GetValue(NCtx), 1);
    }
}
