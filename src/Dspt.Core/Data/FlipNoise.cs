namespace Dspt.Data;

/// <summary>
/// The PTNL / JoAPR protocol (JoAPR's datasets/add_noise.py): every class gets K shots of which
/// exactly M are images of other classes, labelled as this class. As in JoAPR, each class's
/// training images are cut in two in split order: the first ceil(n/2) are its clean pool, the rest
/// its wrong pool, from which other classes take their wrong images, so an image is never both a
/// clean shot of its own class and a wrong shot of another. With rng = System.Random(seed), for
/// each class c in label order: K - M clean shots drawn from c's clean pool (partial Fisher-Yates);
/// then M wrong images, without replacement across the whole draw: symflip from the remaining
/// wrong pools of all other classes (uniform over images; rejection sampling on a swap-remove
/// list), pairflip from class (c + 1) mod C's wrong pool (partial Fisher-Yates).
/// Deviation from JoAPR, on purpose: its symflip draws with replacement (random.choices), so a
/// class could get the same wrong image twice; here never.
/// </summary>
internal static class FlipNoise
{
    public static List<NoisyItem> Draw(IReadOnlyList<DataItem> train, int numClasses, int shots, NoiseSpec spec, int seed,
        bool strict, Action<string>? warn)
    {
        spec.Validate(numClasses, shots);
        int m = spec.PerClass;
        var clean = new List<DataItem>[numClasses];
        var wrong = new List<DataItem>[numClasses];
        var byClass = FewShot.GroupByClass(train, numClasses);
        for (int c = 0; c < numClasses; c++)
        {
            int half = (byClass[c].Count + 1) / 2;
            clean[c] = byClass[c][..half];
            wrong[c] = byClass[c][half..];
        }

        // Every wrong-pool image still available for symflip, with a per-class count so a
        // class's draw can be refused before it starts when too few remain.
        var available = wrong.SelectMany(w => w).ToList();
        var availableOf = wrong.Select(w => w.Count).ToArray();

        var rng = new Random(seed);
        var result = new List<NoisyItem>(numClasses * shots);
        int shortClasses = 0;
        string? shortExample = null;
        for (int c = 0; c < numClasses; c++)
        {
            int want = shots - m;
            var cleanShots = FewShot.Take(clean[c], want, rng);
            if (cleanShots.Count < want)
            {
                shortClasses++;
                shortExample ??= $"class {c} has {clean[c].Count} in its clean pool";
            }
            result.AddRange(cleanShots.Select(i => new NoisyItem(i.Path, c, c)));

            if (spec.Type == NoiseSpec.PairFlip)
            {
                int source = (c + 1) % numClasses;
                if (wrong[source].Count < m)
                    throw new InvalidInputException(
                        $"noise '{spec}': class {c} needs {m} images of class {source}, whose wrong-image pool (the second half of its training images) has only {wrong[source].Count}");
                result.AddRange(FewShot.Take(wrong[source], m, rng).Select(i => new NoisyItem(i.Path, c, i.Label)));
            }
            else
            {
                if (available.Count - availableOf[c] < m)
                    throw new InvalidInputException(
                        $"noise '{spec}': class {c} needs {m} images of other classes, but only {available.Count - availableOf[c]} remain in their wrong-image pools");
                for (int taken = 0; taken < m;)
                {
                    int j = rng.Next(available.Count);
                    var item = available[j];
                    if (item.Label == c) continue;
                    available[j] = available[^1];
                    available.RemoveAt(available.Count - 1);
                    availableOf[item.Label]--;
                    result.Add(new NoisyItem(item.Path, c, item.Label));
                    taken++;
                }
            }
        }
        if (shortClasses > 0)
        {
            string message = $"K - M = {shots - m} clean shots exceed the clean pool of {shortClasses} class(es) (e.g. {shortExample}); they keep all of it";
            if (strict) throw new InvalidInputException($"noise '{spec}': {message}");
            warn?.Invoke(message);
        }
        return result;
    }
}
