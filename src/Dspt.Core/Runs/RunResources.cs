using Dspt.Clip;
using Dspt.Features;
using Dspt.Text;

namespace Dspt.Runs;

/// <summary>
/// What runs in one process may share instead of loading it each time (a sweep creates many runs
/// on one loaded model and one in-memory feature store). A null member is loaded per run from
/// the spec. The caller keeps ownership: a run never disposes what it was given.
/// </summary>
/// <param name="Model">The spec's model, already loaded; it must be the file the spec names.</param>
/// <param name="Tokenizer">The tokenizer of that model.</param>
/// <param name="Features">Image features by content and view, shared by every run on the same model.</param>
public sealed record RunResources(LoadedClip? Model = null, ClipTokenizer? Tokenizer = null, ImageFeatureCache? Features = null);
