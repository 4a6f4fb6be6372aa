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
}
