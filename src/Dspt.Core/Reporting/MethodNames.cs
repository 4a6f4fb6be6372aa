namespace Dspt.Reporting;

/// <summary>How tables name methods: the papers' spelling for the built-in losses, anything else as given.</summary>
public static class MethodNames
{
    public static string Display(string method) => method.ToLowerInvariant() switch
    {
        "ce" => "CE",
        "dspt" => "DSPT",
        "gce" => "GCE",
        "mae" => "MAE",
        "nlprompt" => "NLPrompt",
        _ => method,
    };

    /// <summary>A learner's name in tables: CoOp, CoCoOp, KgCoOp (KgCoOp(W) for another weight); any other as given.</summary>
    public static string Learner(string learner)
    {
        var parts = learner.Trim().ToLowerInvariant().Split(':', 2);
        string kind = parts[0] switch { "coop" => "CoOp", "cocoop" => "CoCoOp", "kgcoop" => "KgCoOp", "vpt" => "VPT", "maple" => "MaPLe", _ => parts[0] };
        return parts.Length == 2 ? $"{kind}({parts[1]})" : kind;
    }
}
