namespace Dspt.Builtin;

/// <summary>How a run records a model or dataset: built-in ones by their canonical address, files and folders by full path.</summary>
public static class Addresses
{
    public static string Model(string model) => BuiltinModel.Is(model) ? BuiltinModel.Address : Path.GetFullPath(model);

    public static string Dataset(string dataset) => BuiltinDataset.Is(dataset) ? BuiltinDataset.Parse(dataset).Address : Path.GetFullPath(dataset);
}
