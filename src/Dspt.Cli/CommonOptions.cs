using System.CommandLine;
using Dspt.Clip;
using TorchSharp;

namespace Dspt.Cli;

/// <summary>Options several commands share, with one meaning everywhere.</summary>
public static class CommonOptions
{
    public static Option<string> Model(bool required = true) => new("--model", "-m")
    {
        Description = "CLIP checkpoint: OpenAI .pt (TorchScript), torch.save .pt/.pth, .safetensors, or a Hugging Face folder",
        Required = required,
    };

    public static Option<string> SavedPrompt() => new("--prompt", "-p")
    {
        Description = "saved prompt: a run folder or a folder with prompt.safetensors + prompt.json",
        Required = true,
    };

    public static Option<string?> Vocab() => new("--vocab")
    {
        Description = "BPE vocabulary (bpe_simple_vocab_16e6.txt.gz, or vocab.json with merges.txt beside it); default: looked for next to the model",
    };

    public static Option<string> Device() => new("--device")
    {
        Description = "cpu, cuda or cuda:N",
        DefaultValueFactory = _ => "cpu",
    };

    public static Option<string> DType() => new("--dtype")
    {
        Description = "model compute dtype: fp32, bf16 or fp16",
        DefaultValueFactory = _ => "fp32",
    };

    public static Option<string?> Corrections() => new("--corrections")
    {
        Description = "reviewed labels to apply before the few-shot draw and noise: a CSV path,action,new_label (as suspects.html exports; action relabel, keep or remove)",
    };

    public static Option<int?> Threads() => new("--threads")
    {
        Description = "CPU threads for LibTorch (default: all cores)",
    };

    public static void ApplyThreads(ParseResult parse, Option<int?> threads)
    {
        if (parse.GetValue(threads) is int t)
        {
            if (t < 1) throw new InvalidInputException($"--threads {t}: expected a positive number");
            torch.set_num_threads(t);
        }
    }

    public static LoadedClip LoadModel(ParseResult parse, Option<string> model, Option<string> device, Option<string> dtype) =>
        ClipLoading.Load(parse.GetValue(model)!, DeviceSelection.ParseDType(parse.GetValue(dtype)!), DeviceSelection.Parse(parse.GetValue(device)!));
}
