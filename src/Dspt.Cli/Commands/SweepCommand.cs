using System.CommandLine;
using System.Globalization;
using Dspt.Cli.Progress;
using Dspt.Features;
using Dspt.IO;
using Dspt.Runs;
using Dspt.Sweeps;
using Dspt.Training;

namespace Dspt.Cli.Commands;

/// <summary>
/// dspt sweep PLAN --out DIR: expands a plan file into runs and runs this process's share of them
/// (skip finished, resume interrupted, start new); --dry-run lists them, --emit writes a Slurm
/// or Kubernetes job that runs the shards. Exit codes: 0 done, 2 bad input, 3 a run diverged,
/// 130 interrupted (rerun the same command to continue).
/// </summary>
public static class SweepCommand
{
    public static Command Create()
    {
        var plan = new Argument<string>("plan") { Description = "plan file (YAML or JSON): datasets, models, shots, noise, methods, seeds, train" };
        var outDir = new Option<string>("--out", "-o") { Description = "output folder; run folders go under dataset/model/Kshot/noise/method/seedS", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "list the runs (id, state, folder) and stop" };
        var only = new Option<string[]>("--only") { Description = "keep the runs matching KEY=V1[,V2] (dataset, model, shots, noise, method, seed, id); repeatable", AllowMultipleArgumentsPerToken = false };
        var shard = new Option<string?>("--shard") { Description = "run slice i/n of the plan (run k belongs to slice k mod n); default from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX" };
        var shards = new Option<int?>("--shards") { Description = "number of slices when the index comes from the environment (needed with JOB_COMPLETION_INDEX)" };
        var emit = new Option<string?>("--emit") { Description = "write a cluster job instead of running: slurm (an sbatch script) or k8s (an Indexed Job manifest)" };
        var emitTo = new Option<string?>("--emit-to") { Description = "file for --emit (default OUT/sweep.sbatch or OUT/sweep-job.yaml)" };
        var tasks = new Option<int?>("--tasks") { Description = "array tasks for --emit (default: one per run)" };
        var cpus = new Option<int>("--cpus-per-task") { Description = "CPUs per task for --emit (also its --threads)", DefaultValueFactory = _ => 2 };
        var mem = new Option<string>("--mem") { Description = "memory per task for --emit (Slurm syntax, e.g. 8G)", DefaultValueFactory = _ => "8G" };
        var time = new Option<string>("--time") { Description = "time limit per task for --emit slurm", DefaultValueFactory = _ => "04:00:00" };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition for --emit slurm" };
        var image = new Option<string>("--container-image") { Description = "container image for --emit k8s", DefaultValueFactory = _ => "dspt:latest" };
        var claim = new Option<string>("--volume-claim") { Description = "PersistentVolumeClaim holding plan, output and cache for --emit k8s", DefaultValueFactory = _ => "dspt-work" };
        var parallelism = new Option<int?>("--parallelism") { Description = "pods at once for --emit k8s (default: all)" };
        var dspt = new Option<string?>("--dspt") { Description = "how the job calls dspt (default: this program, e.g. 'dotnet /path/dspt.dll')" };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var cache = new CacheOptionSet();
        var cacheDir = cache.CacheDir;

        var command = new Command("sweep", "Run a plan of experiments (datasets x models x shots x noise x methods x seeds), resumable, shardable over Slurm / Kubernetes / AWS Batch arrays")
        {
            plan, outDir, dryRun, only, shard, shards, emit, emitTo, tasks, cpus, mem, time, partition, image, claim, parallelism, dspt, device, threads,
        };
        CommonOptions.AddAll(command, cache.All);
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            string planPath = parse.GetValue(plan)!;
            var sweepPlan = PlanReader.Read(planPath);
            var all = PlanExpansion.Expand(sweepPlan);
            string planHash = PlanExpansion.PlanHash(all);
            var filters = parse.GetValue(only) ?? [];
            var selected = PlanExpansion.Filter(all, filters);
            string output = parse.GetValue(outDir)!;
            string? cacheFolder = cache.Directory(parse);

            if (parse.GetValue(emit) is { } engine)
            {
                int n = parse.GetValue(tasks) ?? selected.Count;
                if (n < 1) throw new InvalidInputException($"--tasks {n}: expected at least 1 (the plan selects {selected.Count} runs)");
                var job = new ClusterJobOptions(parse.GetValue(dspt) ?? ThisProgram(), planPath, output, $"dspt-{sweepPlan.Name}", Math.Min(n, Math.Max(1, selected.Count)),
                    parse.GetValue(cpus), parse.GetValue(mem)!, parse.GetValue(time)!, parse.GetValue(partition), filters,
                    parse.GetResult(cacheDir) is { Implicit: false } ? parse.GetValue(cacheDir) : null,
                    parse.GetValue(image)!, parse.GetValue(parallelism), parse.GetValue(claim));
                if (job.CpusPerTask < 1) throw new InvalidInputException($"--cpus-per-task {job.CpusPerTask}: expected at least 1");
                var (text, file) = engine.ToLowerInvariant() switch
                {
                    "slurm" => (SlurmScript.Render(job), parse.GetValue(emitTo) ?? Path.Combine(output, "sweep.sbatch")),
                    "k8s" or "kubernetes" => (KubernetesJob.Render(job), parse.GetValue(emitTo) ?? Path.Combine(output, "sweep-job.yaml")),
                    _ => throw new InvalidInputException($"--emit {engine}: expected slurm or k8s"),
                };
                Directory.CreateDirectory(Path.Combine(output, "logs"));
                AtomicFile.WriteAllText(file, text);
                stdout.WriteLine($"{file}: {job.Tasks} array task(s) for {selected.Count} run(s) of plan '{sweepPlan.Name}' ({planHash})");
                stdout.WriteLine(engine.ToLowerInvariant() == "slurm" ? $"submit with: sbatch {file}" : $"apply with: kubectl apply -f {file}");
                return 0;
            }

            var slice = Shard.Resolve(parse.GetValue(shard), parse.GetValue(shards), Environment.GetEnvironmentVariable);
            var mine = slice.Slice(selected);
            if (parse.GetValue(dryRun))
            {
                var states = mine.Select(r => RunStates.Of(output, r)).ToList();
                stdout.WriteLine($"plan '{sweepPlan.Name}' ({planHash}): {all.Count} runs, {selected.Count} selected, {mine.Count} in {slice}");
                stdout.WriteLine("id            state    folder");
                for (int i = 0; i < mine.Count; i++)
                    stdout.WriteLine($"{mine[i].Id}  {RunStates.Label(states[i]),-7}  {mine[i].Folder}");
                stdout.WriteLine($"{states.Count(s => s == RunState.Done)} done, {states.Count(s => s == RunState.Partial)} partial, {states.Count(s => s == RunState.New)} new");
                return 0;
            }

            CommonOptions.ApplyThreads(parse, threads);
            stderr.WriteLine($"plan '{sweepPlan.Name}' ({planHash}): {mine.Count} of {all.Count} runs in {slice}; output {Path.GetFullPath(output)}");
            using var executor = new SweepExecutor(sweepPlan, planHash, new SweepOptions(Path.GetFullPath(output), parse.GetValue(device)!, parse.GetValue(threads), cacheFolder)
            {
                Invocation = ResolvedSettings.Of(parse),
            })
            {
                Status = m => stderr.WriteLine($"  {m}"),
            };
            using var interrupt = new InterruptSignal();
            try
            {
                var outcome = executor.Run(mine, new LineProgress(stdout), interrupt.Token);
                stdout.WriteLine($"{outcome.Started} started, {outcome.Resumed} resumed, {outcome.Skipped} already done, {outcome.Failed.Count} diverged; " +
                                 $"{executor.ImagesEncoded} images encoded; report with: dspt report {output}");
                return outcome.Failed.Count > 0 ? TrainCommand.DivergedExitCode : 0;
            }
            catch (OperationCanceledException)
            {
                stderr.WriteLine("interrupted; every run folder keeps its last complete epoch. Run the same command again to continue.");
                return TrainCommand.InterruptedExitCode;
            }
        });
        return command;
    }

    /// <summary>This program as a command line: the apphost, or `dotnet dspt.dll`.</summary>
    static string ThisProgram()
    {
        string? process = Environment.ProcessPath;
        string dll = Path.Combine(AppContext.BaseDirectory, "dspt.dll");
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "dspt") return Shell.Quote(process);
        return File.Exists(dll) ? $"{Shell.Quote(process ?? "dotnet")} {Shell.Quote(dll)}" : "dspt";
    }

    /// <summary>One line per run.</summary>
    sealed class LineProgress(TextWriter output) : ISweepProgress
    {
        public void Status(string message) => output.WriteLine(message);

        public ITrainingProgress? RunStarting(int position, int total, PlannedRun run, RunState state)
        {
            output.WriteLine($"[{position}/{total}] {(state == RunState.Partial ? "resuming" : "starting")} {run.Id} {run.Folder}");
            return null;
        }

        public void RunFinished(int position, int total, PlannedRun run, FinalResult result, bool skipped) =>
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{position}/{total}] {(skipped ? "done already" : "finished")} {run.Id} {run.Folder}: test {result.Accuracy:F2}%"));
    }
}
