namespace Dspt.Imaging;

/// <summary>An integer crop as torchvision's RandomResizedCrop.get_params returns it: (i, j, h, w).</summary>
public readonly record struct CropWindow(int Top, int Left, int Height, int Width);

/// <summary>One draw of <see cref="TrainAugmentation"/>: where to crop and whether to mirror.</summary>
public readonly record struct AugmentationDraw(CropWindow Crop, bool Flip);
