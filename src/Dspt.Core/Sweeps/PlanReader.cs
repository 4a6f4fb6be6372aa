using System.Globalization;
using Dspt.Builtin;
using Dspt.Data;
using Dspt.Objectives;
using Dspt.Prompting;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Dspt.Sweeps;

/// <summary>
/// Reads a plan file (YAML; JSON is YAML too). Every error names the file, the key (as a path
/// such as <c>methods[2].lr</c>), the line, and what was expected. A scalar stands for a
/// one-element list; seeds may also be a range "1-3".
/// </summary>
public static class PlanReader
{
    static readonly string[] TopKeys = ["name", "datasets", "models", "shots", "noise", "methods", "seeds", "train", "learners", "learner", "classes"];
    static readonly string[] LearnerKeys = ["name", "epochs", "lr", "batch_size", "n_ctx", "ctx_init"];
    static readonly string[] TrainKeys = ["epochs", "lr", "batch_size", "views", "n_ctx", "ctx_init", "csc", "position", "eval_test_every", "select"];
    public static readonly IReadOnlyList<string> SelectChoices = ["last"];

    public static SweepPlan Read(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new InvalidInputException($"{full}: plan file not found");
        return Parse(File.ReadAllText(full), full);
    }

    public static SweepPlan Parse(string text, string file)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e) { throw new InvalidInputException($"{file}: not valid YAML or JSON (line {e.Start.Line}, column {e.Start.Column}): {e.Message}", e); }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new InvalidInputException($"{file}: expected one mapping with the keys {string.Join(", ", TopKeys)}");
        var r = new Reader(file);
        r.CheckKeys(root, "", TopKeys);

        var shared = r.Training(r.Get(root, "train"), "train", new PlanTraining());
        var datasets = r.List(root, "datasets", required: true, (n, key) => r.Dataset(n, key));
        var models = r.List(root, "models", required: false, (n, key) => r.Model(n, key));
        if (models.Count == 0) models = [new PlanModel(BuiltinModel.Address, "builtin", null)];
        var shots = r.List(root, "shots", required: false, (n, key) => r.Int(n, key, min: 1));
        if (shots.Count == 0) shots = [16];
        var noise = r.List(root, "noise", required: false, (n, key) => r.Noise(n, key));
        if (noise.Count == 0) noise = ["none"];
        var methods = r.List(root, "methods", required: true, (n, key) => r.Method(n, key, shared));
        var seeds = r.Seeds(r.Get(root, "seeds"));
        string name = r.Get(root, "name") is { } nameNode ? r.String(nameNode, "name") : Path.GetFileNameWithoutExtension(file);
        var (learners, classes) = r.LearnersAndClasses(root);

        r.Unique(datasets.Select(d => d.Name), "datasets", "name");
        r.Unique(models.Select(m => m.Name), "models", "name");
        r.Unique(methods.Select(m => m.Name), "methods", "name");
        r.Unique(shots.Select(s => s.ToString(CultureInfo.InvariantCulture)), "shots", null);
        r.Unique(noise, "noise", null);
        r.Unique(seeds.Select(s => s.ToString(CultureInfo.InvariantCulture)), "seeds", null);
        return new SweepPlan(name, Path.GetDirectoryName(file)!, datasets, models, shots, noise, methods, seeds, learners, classes);
    }

    sealed class Reader(string file)
    {
        InvalidInputException Error(YamlNode? node, string key, string expected, string? got = null) => new(
            $"{file}: key '{key}'{(node is null ? "" : $" (line {node.Start.Line})")}: expected {expected}{(got is null ? "" : $", got '{got}'")}");

        public YamlNode? Get(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var v) && !(v is YamlScalarNode { Value: null or "" or "~" or "null" } s && s.Style == ScalarStyle.Plain)
                ? v : null;

        public void CheckKeys(YamlMappingNode map, string prefix, IReadOnlyList<string> allowed)
        {
            foreach (var k in map.Children.Keys)
            {
                string name = k is YamlScalarNode s ? s.Value ?? "" : "?";
                if (!allowed.Contains(name))
                    throw Error(k, prefix.Length == 0 ? name : $"{prefix}.{name}", $"one of {string.Join(", ", allowed)}", name);
            }
        }

        public List<T> List<T>(YamlMappingNode map, string key, bool required, Func<YamlNode, string, T> item)
        {
            var node = Get(map, key);
            if (node is null)
                return required ? throw Error(map, key, "a list (the key is required)") : [];
            if (node is YamlSequenceNode seq)
            {
                if (seq.Children.Count == 0) throw Error(node, key, "a non-empty list");
                return [.. seq.Children.Select((n, i) => item(n, $"{key}[{i}]"))];
            }
            return [item(node, key)];
        }

        public string Scalar(YamlNode node, string key, string expected) =>
            node is YamlScalarNode { Value: { } v } ? v : throw Error(node, key, expected, node.NodeType.ToString().ToLowerInvariant());

        public string String(YamlNode node, string key)
        {
            var v = Scalar(node, key, "a text");
            return v.Trim().Length > 0 ? v : throw Error(node, key, "a non-empty text");
        }

        public int Int(YamlNode node, string key, int min)
        {
            var v = Scalar(node, key, $"an integer >= {min}");
            return int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) && n >= min ? n : throw Error(node, key, $"an integer >= {min}", v);
        }

        double PositiveNumber(YamlNode node, string key)
        {
            var v = Scalar(node, key, "a number > 0");
            return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x > 0 && double.IsFinite(x) ? x : throw Error(node, key, "a number > 0", v);
        }

        bool Bool(YamlNode node, string key)
        {
            var v = Scalar(node, key, "true or false");
            return v.ToLowerInvariant() switch { "true" or "yes" => true, "false" or "no" => false, _ => throw Error(node, key, "true or false", v) };
        }

        public string Noise(YamlNode node, string key)
        {
            var v = Scalar(node, key, "a noise setting (none, sym:R, asym:R, symflip:M, pairflip:M)");
            try
            {
                var spec = NoiseSpec.Parse(v);
                spec.Validate();
                return spec.ToString();
            }
            catch (InvalidInputException) { throw Error(node, key, "a noise setting: none, sym:R, asym:R (R in [0, 1) such as 0.25 or 25%), symflip:M, pairflip:M", v); }
        }

        public List<int> Seeds(YamlNode? node)
        {
            if (node is null) return [1];
            if (node is YamlScalarNode { Value: { } v } && v.Contains('-') && !v.StartsWith('-'))
            {
                var parts = v.Split('-');
                if (parts.Length == 2 && int.TryParse(parts[0], out int a) && int.TryParse(parts[1], out int b) && a >= 0 && b >= a)
                    return [.. Enumerable.Range(a, b - a + 1)];
                throw Error(node, "seeds", "a list of seeds or a range such as 1-3", v);
            }
            var seeds = node is YamlSequenceNode seq
                ? seq.Children.Select((n, i) => Int(n, $"seeds[{i}]", 0)).ToList()
                : [Int(node, "seeds", 0)];
            return seeds.Count > 0 ? seeds : throw Error(node, "seeds", "a non-empty list");
        }

        public PlanDataset Dataset(YamlNode node, string key)
        {
            string address, name;
            string? format = null, template = null;
            if (node is YamlMappingNode map)
            {
                CheckKeys(map, key, ["path", "name", "format", "template"]);
                address = String(Get(map, "path") ?? throw Error(map, $"{key}.path", "the dataset's path or builtin:TASK (the key is required)"), $"{key}.path");
                name = Get(map, "name") is { } n ? String(n, $"{key}.name") : DefaultName(address);
                if (Get(map, "format") is { } f)
                {
                    format = String(f, $"{key}.format").ToLowerInvariant();
                    if (!DatasetFormats.All.Contains(format)) throw Error(f, $"{key}.format", $"one of {string.Join(", ", DatasetFormats.All)}", format);
                }
                if (Get(map, "template") is { } t)
                {
                    template = String(t, $"{key}.template");
                    if (!template.Contains("{}")) throw Error(t, $"{key}.template", "a template with {} where the class name goes", template);
                }
            }
            else
            {
                address = String(node, key);
                name = DefaultName(address);
            }
            if (BuiltinDataset.Is(address))
            {
                try { address = BuiltinDataset.Parse(address).Address; }
                catch (InvalidInputException e) { throw Error(node, key, $"a built-in dataset (builtin:shape, builtin:colour, builtin:shape@SEED): {e.Message}"); }
            }
            else address = Relative(address);
            return new PlanDataset(address, FolderSafe(name, node, key), format, template);
        }

        /// <summary>A path as the id sees it: relative to the plan file's folder, '/'-separated, "./" and ".." folded.</summary>
        string Relative(string address)
        {
            string dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
            return Path.GetRelativePath(dir, Path.GetFullPath(Path.Combine(dir, address))).Replace('\\', '/');
        }

        static string DefaultName(string address)
        {
            if (BuiltinDataset.Is(address))
            {
                try { return BuiltinDataset.Parse(address).ShortName; } catch (InvalidInputException) { return address; }
            }
            string trimmed = address.TrimEnd('/', '\\');
            string last = Path.GetFileName(trimmed);
            return File.Exists(trimmed) || Path.HasExtension(last) ? Path.GetFileNameWithoutExtension(last) : last;
        }

        public PlanModel Model(YamlNode node, string key)
        {
            string address;
            string? name = null, vocab = null;
            if (node is YamlMappingNode map)
            {
                CheckKeys(map, key, ["path", "name", "vocab"]);
                address = String(Get(map, "path") ?? throw Error(map, $"{key}.path", "the checkpoint's path or builtin (the key is required)"), $"{key}.path");
                if (Get(map, "name") is { } n) name = String(n, $"{key}.name");
                if (Get(map, "vocab") is { } v) vocab = Relative(String(v, $"{key}.vocab"));
            }
            else address = String(node, key);
            if (BuiltinModel.Is(address)) address = BuiltinModel.Address;
            else address = Relative(address);
            name ??= BuiltinModel.Is(address) ? "builtin" : DefaultName(address);
            return new PlanModel(address, FolderSafe(name, node, key), vocab);
        }

        public PlanMethod Method(YamlNode node, string key, PlanTraining shared)
        {
            string loss, name;
            var training = shared;
            if (node is YamlMappingNode map)
            {
                CheckKeys(map, key, ["name", "loss", .. TrainKeys]);
                var lossNode = Get(map, "loss") ?? Get(map, "name") ?? throw Error(map, $"{key}.loss", "the loss or objective (ce, dspt, gce[:q], mae[:s], nlprompt[:reg])");
                loss = String(lossNode, $"{key}.loss");
                name = Get(map, "name") is { } n ? String(n, $"{key}.name") : loss;
                var own = new YamlMappingNode(map.Children.Where(kv => kv.Key is YamlScalarNode s && TrainKeys.Contains(s.Value)));
                training = Training(own, key, shared);
            }
            else name = loss = String(node, key);
            try { loss = TrainingObjectives.Create(loss).Name; }
            catch (InvalidInputException e) { throw Error(node, key, $"a loss or objective: {string.Join(", ", TrainingObjectives.Names)} ({e.Message})", loss); }
            return new PlanMethod(FolderSafe(name, node, key), loss, training);
        }

        /// <summary>The learner axis (<c>learners</c>, or its singular <c>learner</c>) and the class selections (<c>classes</c>).</summary>
        public (List<PlanLearner> Learners, List<string> Classes) LearnersAndClasses(YamlMappingNode root)
        {
            if (Get(root, "learners") is not null && Get(root, "learner") is { } both)
                throw Error(both, "learner", "either 'learners' or 'learner' (the same axis), not both");
            string key = Get(root, "learner") is not null ? "learner" : "learners";
            var learners = List(root, key, required: false, (n, k) => Learner(n, k));
            Unique(learners.Select(l => l.Name), key, "name");
            var classes = List(root, "classes", required: false, (n, k) =>
            {
                var v = Scalar(n, k, "all, base or new").Trim().ToLowerInvariant();
                try { return ClassSubset.Name(ClassSubset.Parse(v)); }
                catch (InvalidInputException) { throw Error(n, k, "all, base or new (CoOp's subsample_classes: base is the first half of the sorted labels)", v); }
            });
            Unique(classes, "classes", null);
            return (learners, classes);
        }

        PlanLearner Learner(YamlNode node, string key)
        {
            string name;
            var own = new PlanTraining();
            if (node is YamlMappingNode map)
            {
                CheckKeys(map, key, LearnerKeys);
                name = String(Get(map, "name") ?? throw Error(map, $"{key}.name", "the learner's name (the key is required)"), $"{key}.name");
                own = Training(new YamlMappingNode(map.Children.Where(kv => kv.Key is YamlScalarNode { Value: not "name" })), key, own);
            }
            else name = String(node, key);
            name = name.Trim().ToLowerInvariant();
            try { LearnerRegistry.Kind(name); }
            catch (InvalidInputException e) { throw Error(node, key, $"a prompt learner: {string.Join(", ", LearnerRegistry.Names)} ({e.Message})", name); }
            return new PlanLearner(name, FolderSafe(name, node, key), own.Epochs, own.Lr, own.BatchSize, own.NCtx, own.CtxInit);
        }

        public PlanTraining Training(YamlNode? node, string key, PlanTraining t)
        {
            if (node is null) return t;
            if (node is not YamlMappingNode map) throw Error(node, key, $"a mapping with the keys {string.Join(", ", TrainKeys)}");
            CheckKeys(map, key, TrainKeys);
            string K(string k) => $"{key}.{k}";
            if (Get(map, "epochs") is { } e) t = t with { Epochs = Int(e, K("epochs"), 1) };
            if (Get(map, "lr") is { } lr) t = t with { Lr = PositiveNumber(lr, K("lr")) };
            if (Get(map, "batch_size") is { } b) t = t with { BatchSize = Int(b, K("batch_size"), 1) };
            if (Get(map, "views") is { } v) t = t with { Views = Int(v, K("views"), 0) };
            if (Get(map, "n_ctx") is { } c) t = t with { NCtx = Int(c, K("n_ctx"), 1) };
            if (Get(map, "ctx_init") is { } ci) t = t with { CtxInit = String(ci, K("ctx_init")) };
            if (Get(map, "csc") is { } csc) t = t with { Csc = Bool(csc, K("csc")) };
            if (Get(map, "position") is { } p)
            {
                var pos = String(p, K("position")).ToLowerInvariant();
                try { PromptLayout.ParsePosition(pos); } catch (InvalidInputException) { throw Error(p, K("position"), "end, middle or front", pos); }
                t = t with { Position = pos };
            }
            if (Get(map, "eval_test_every") is { } ev) t = t with { EvalTestEvery = Int(ev, K("eval_test_every"), 0) };
            if (Get(map, "select") is { } sel)
            {
                var s = String(sel, K("select")).ToLowerInvariant();
                t = SelectChoices.Contains(s) ? t with { Select = s } : throw Error(sel, K("select"), "last (CoOp's choice; best-val is not implemented yet)", s);
            }
            return t;
        }

        public void Unique(IEnumerable<string> values, string key, string? field)
        {
            var dup = values.GroupBy(v => v, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null)
                throw new InvalidInputException($"{file}: key '{key}': '{dup.Key}' appears twice{(field is null ? "" : $" as {field}; give each entry its own '{field}'")}");
        }

        string FolderSafe(string name, YamlNode node, string key)
        {
            string safe = Reporting.EvaluationReport.FileSafe(name.Replace(':', '-').Replace('@', '-'));
            if (safe is "." or ".." || safe.Length == 0) throw Error(node, key, "a name usable as a folder", name);
            return safe;
        }
    }
}
