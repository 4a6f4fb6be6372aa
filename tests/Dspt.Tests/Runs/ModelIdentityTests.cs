using System.Text.Json.Nodes;
using Dspt.Clip;
using Dspt.Evaluation;
using Dspt.Features;
using Dspt.Imaging;
using Dspt.Prompting;
using Dspt.Runs;
using Dspt.Tests.Training;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Tests.Runs;

/// <summary>
/// Resuming a run recognises its model by the tensors: the same weights saved in another format
/// at the recorded path continue the run; other weights, or another file under a manifest that
/// records only the file's hash (older runs), are refused. classify --prompt goes through the
/// learner seam for every registered learner.
/// </summary>
public class ModelIdentityTests
{
    static string VitTiny(string file) => Repo.Fixture("clip-models", "vit-tiny", file);

    [Fact]
    public void A_run_resumes_on_the_same_weights_in_another_format_and_refuses_other_weights()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"], trainPerClass: 2, testPerClass: 1);
        string model = dir["model.bin"];
        File.Copy(VitTiny("weights.openai.safetensors"), model);
        var spec = RunSpec.Default(model, data.Root, shots: 2) with { Vocab = TinyDataset.Vocab, CacheDirectory = null };
        using (RunPipeline.Create(spec, dir["run"])) { }

        File.Copy(VitTiny("model.state_dict.pt"), model, overwrite: true);   // F32 torch.save of the same F16-exact values
        using (var resumed = RunPipeline.Resume(dir["run"]))
            Assert.Equal(64, resumed.Manifest.ModelTensorsSha256!.Length);

        File.Copy(Repo.Fixture("clip-models", "rn-tiny", "weights.openai.safetensors"), model, overwrite: true);
        var e = Assert.Throws<InvalidInputException>(() => RunPipeline.Resume(dir["run"]));
        Assert.Contains("model_tensors_sha256", e.Message);
        Assert.Contains("manifest.json", e.Message);

        // A manifest from before the tensors' hash: the file itself must be the same.
        var manifest = JsonNode.Parse(File.ReadAllText(dir["run/manifest.json"]))!.AsObject();
        manifest.Remove("model_tensors_sha256");
        File.WriteAllText(dir["run/manifest.json"], manifest.ToJsonString());
        File.Copy(VitTiny("model.state_dict.pt"), model, overwrite: true);
        var old = Assert.Throws<InvalidInputException>(() => RunPipeline.Resume(dir["run"]));
        Assert.Contains("the model file changed", old.Message);
        File.Copy(VitTiny("weights.openai.safetensors"), model, overwrite: true);
        using (RunPipeline.Resume(dir["run"])) { }
    }

    [Theory]
    [InlineData("coop")]
    [InlineData("cocoop")]
    [InlineData("kgcoop")]
    public void Classify_scores_a_saved_prompt_of_every_learner_as_the_learner_does(string learner)
    {
        using var dir = Repo.Temp();
        string[] names = ["blue", "green", "red", "yellow"];
        using var loaded = ClipLoading.Load(TinyDataset.Model);
        var tokenizer = ClipTokenizer.Load(TinyDataset.Vocab);
        var d = LearnerRegistry.Defaults(learner);
        using var prompt = LearnerRegistry.Create(learner, new LearnerSetup(loaded.Model, tokenizer, names,
            new PromptOptions(new PromptLayout(d.NCtx, d.CtxInit)), "a photo of a {}.", 4));
        using (no_grad())
            foreach (var (_, p) in prompt.Trainable) p.add_(0.05 * randn(p.shape, generator: new Generator(5)));
        var provenance = new JsonObject { ["spec"] = new JsonObject { ["model"] = TinyDataset.Model, ["vocab"] = TinyDataset.Vocab } };
        PromptFile.Save(dir.Path, prompt, PromptFile.Describe(prompt, loaded.Info.Sha256, provenance) with { ModelTensorsSha256 = loaded.Info.TensorsSha256 });
        string image = dir["img.png"];
        SyntheticImages.Write(image, 1, 77);

        var output = Cli.Ok("classify", "--prompt", dir.Path, "--json", "--top-k", "4", image);
        using var doc = System.Text.Json.JsonDocument.Parse(output.Trim());
        var top = doc.RootElement.GetProperty("top").EnumerateArray().ToDictionary(t => t.GetProperty("label").GetString()!, t => t.GetProperty("probability").GetDouble());

        // The learner itself on CLIP's image features of the same pixels.
        using var _ = no_grad();
        using var pixels = new ClipTransform(loaded.Model.Config.ImageResolution).Apply(ImageDecoder.Decode(image)).unsqueeze(0);
        using var probs = prompt.Forward(loaded.Model.EncodeImage(pixels)).Logits.softmax(-1);
        for (int c = 0; c < names.Length; c++)
            Assert.InRange(Math.Abs(top[names[c]] - probs[0, c].item<float>()), 0, 1e-6);
    }
}
