using System.Text;

namespace Dspt.Sweeps;

/// <summary>
/// A Kubernetes Indexed Job for a sweep: completions = shards, each pod runs <c>dspt sweep ...
/// --shards N</c> and takes its slice from JOB_COMPLETION_INDEX. Plan, output and cache live on a
/// shared volume mounted at the working directory.
/// </summary>
public static class KubernetesJob
{
    public static string Render(ClusterJobOptions o)
    {
        var command = o.Dspt.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Concat(o.SweepArguments()).Concat(["--shards", o.Tasks.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var sb = new StringBuilder();
        sb.Append("# Written by `dspt sweep --emit k8s`. Apply with: kubectl apply -f <this file>\n");
        sb.Append("apiVersion: batch/v1\nkind: Job\nmetadata:\n");
        sb.Append($"  name: {Name(o.JobName)}\n");
        sb.Append("spec:\n  completionMode: Indexed\n");
        sb.Append($"  completions: {o.Tasks}\n");
        sb.Append($"  parallelism: {o.Parallelism ?? o.Tasks}\n");
        sb.Append("  backoffLimitPerIndex: 2\n");
        sb.Append("  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: dspt\n");
        sb.Append($"          image: {Yaml(o.Image)}\n");
        sb.Append($"          workingDir: {Yaml(o.WorkingDirectory)}\n");
        sb.Append($"          command: [{string.Join(", ", command.Select(Yaml))}]\n");
        sb.Append("          resources:\n");
        sb.Append($"            requests: {{cpu: \"{o.CpusPerTask}\", memory: {Yaml(K8sMemory(o.Memory))}}}\n");
        sb.Append($"            limits: {{cpu: \"{o.CpusPerTask}\", memory: {Yaml(K8sMemory(o.Memory))}}}\n");
        sb.Append($"          volumeMounts: [{{name: work, mountPath: {Yaml(o.WorkingDirectory)}}}]\n");
        sb.Append($"      volumes: [{{name: work, persistentVolumeClaim: {{claimName: {Yaml(o.VolumeClaim ?? "dspt-work")}}}}}]\n");
        return sb.ToString();
    }

    /// <summary>Slurm's 8G is Kubernetes' 8Gi.</summary>
    static string K8sMemory(string slurm) => slurm.Length > 0 && "KMGT".Contains(char.ToUpperInvariant(slurm[^1])) ? slurm[..^1] + char.ToUpperInvariant(slurm[^1]) + "i" : slurm;

    /// <summary>A DNS-1123 name: lower case letters, digits and '-', at most 63 characters.</summary>
    static string Name(string name)
    {
        var s = new string([.. name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        var n = s.Length == 0 ? "dspt-sweep" : s;
        return n[..Math.Min(63, n.Length)].TrimEnd('-');
    }

    static string Yaml(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
