using System.Security.Cryptography;
using System.Text;
using Dspt.Data;
using Dspt.Training;

namespace Dspt.Sweeps;

/// <summary>
/// A plan as an ordered list of runs: datasets, then models, classes, shots, noise settings,
/// learners, methods and seeds, each in the order the plan lists them, so runs on one model and dataset are adjacent
/// (they share image features). Ids depend on the settings only, so reordering the plan file
/// reorders the list but keeps every id.
/// </summary>
public static class PlanExpansion
{
    public static IReadOnlyList<PlannedRun> Expand(SweepPlan plan)
    {
        var runs = new List<PlannedRun>();
        foreach (var d in plan.Datasets)
        foreach (var m in plan.Models)
        foreach (var classes in plan.ClassesAxis)
        foreach (int shots in plan.Shots)
        foreach (var noise in plan.Noise)
        {
            var spec = NoiseSpec.Parse(noise);
            if (spec.IsFlip && spec.PerClass >= shots)
                throw new InvalidInputException($"plan '{plan.Name}': noise '{noise}' replaces {spec.PerClass} of the {shots} shots of each class; it needs fewer than the shots (key 'noise' or 'shots')");
            foreach (var learner in plan.LearnerAxis)
            foreach (var method in plan.Methods)
            foreach (int seed in plan.Seeds)
            {
                var t = method.Training;
                var (epochs, lr, batch, nCtx, ctxInit) = learner.Resolve(t, shots);
                var settings = new RunSettings(d.Address, d.Format, d.Template, m.Address, m.Vocab, shots, noise, method.Loss, seed,
                    epochs, lr, batch, t.Views, nCtx, ctxInit, t.Csc, t.Position, t.EvalTestEvery, t.Select,
                    learner.IsCoOp ? null : learner.Name, classes == "all" ? null : classes);
                runs.Add(new PlannedRun(settings, d.Name, m.Name, method.Name, learner.IsCoOp ? null : learner.FolderName));
            }
        }
        var sameId = runs.GroupBy(r => r.Id).FirstOrDefault(g => g.Count() > 1);
        if (sameId is not null)
            throw new InvalidInputException($"plan '{plan.Name}': methods {string.Join(" and ", sameId.Select(r => $"'{r.MethodName}'").Distinct())} (or datasets/models) resolve to the same settings (run {sameId.Key}); remove one or change its settings");
        var sameFolder = runs.GroupBy(r => r.Folder).FirstOrDefault(g => g.Count() > 1);
        if (sameFolder is not null)
            throw new InvalidInputException($"plan '{plan.Name}': two runs would share the folder {sameFolder.Key}; give the datasets, models or methods distinct 'name's");
        return runs;
    }

    /// <summary>16 hex digits of sha256 over the sorted run ids: the same set of runs, the same hash.</summary>
    public static string PlanHash(IEnumerable<PlannedRun> runs) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", runs.Select(r => r.Id).Order(StringComparer.Ordinal)))))[..16];

    /// <summary>
    /// Keeps the runs that match every filter; a filter is KEY=V1,V2 (any of the values), see
    /// <see cref="PlannedRun.FilterKeys"/>. An id filter also matches a prefix of at least 4 digits.
    /// </summary>
    public static IReadOnlyList<PlannedRun> Filter(IReadOnlyList<PlannedRun> runs, IEnumerable<string> filters)
    {
        IEnumerable<PlannedRun> kept = runs;
        foreach (var f in filters)
        {
            int eq = f.IndexOf('=');
            if (eq <= 0) throw new InvalidInputException($"--only {f}: expected KEY=VALUE[,VALUE...] with KEY one of {string.Join(", ", PlannedRun.FilterKeys)}");
            string key = f[..eq].Trim().ToLowerInvariant();
            var wanted = f[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Normalise(key)).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (!PlannedRun.FilterKeys.Contains(key)) throw new InvalidInputException($"--only {f}: unknown key '{key}'; expected one of {string.Join(", ", PlannedRun.FilterKeys)}");
            kept = kept.Where(r => r.Values(key).Any(v => wanted.Contains(v) || key == "id" && wanted.Any(w => w.Length >= 4 && v.StartsWith(w, StringComparison.OrdinalIgnoreCase)))).ToList();
        }
        return [.. kept];
    }

    static Func<string, string> Normalise(string key) => key == "noise"
        ? v => { try { return NoiseSpec.Parse(v).ToString(); } catch (InvalidInputException) { return v; } }
        : v => v;
}
