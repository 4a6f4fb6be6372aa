using SkiaSharp;

namespace Dspt.World;

/// <summary>The pixel values of object colours and background tones (sRGB).</summary>
public static class WorldPalette
{
    /// <summary>
    /// Below this Euclidean RGB distance an object would nearly vanish into the background tone
    /// (brown or purple on grey), so the sampler picks another tone where it can.
    /// </summary>
    public const double MinContrast = 110;

    /// <summary>Each colour is typical of two shapes (see WorldSpec.TypicalColourRate).</summary>
    public static ObjectColour Typical(Shape shape) => shape switch
    {
        Shape.Heart or Shape.Cross => ObjectColour.Red,
        Shape.Triangle or Shape.Arrow => ObjectColour.Orange,
        Shape.Star or Shape.Crescent => ObjectColour.Yellow,
        Shape.Diamond or Shape.Hexagon => ObjectColour.Green,
        Shape.Circle or Shape.Bar => ObjectColour.Blue,
        Shape.Pentagon or Shape.Hourglass => ObjectColour.Purple,
        Shape.Ellipse or Shape.Semicircle => ObjectColour.Pink,
        Shape.Trapezoid or Shape.Frame => ObjectColour.Brown,
        Shape.Ring or Shape.Octagon => ObjectColour.White,
        Shape.Square or Shape.X => ObjectColour.Black,
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    public static SKColor Rgb(ObjectColour colour) => colour switch
    {
        ObjectColour.Red => new SKColor(215, 35, 35),
        ObjectColour.Orange => new SKColor(245, 135, 20),
        ObjectColour.Yellow => new SKColor(240, 215, 30),
        ObjectColour.Green => new SKColor(35, 165, 55),
        ObjectColour.Blue => new SKColor(35, 75, 215),
        ObjectColour.Purple => new SKColor(135, 50, 185),
        ObjectColour.Pink => new SKColor(245, 125, 190),
        ObjectColour.Brown => new SKColor(125, 75, 35),
        ObjectColour.White => new SKColor(250, 250, 250),
        ObjectColour.Black => new SKColor(12, 12, 12),
        _ => throw new ArgumentOutOfRangeException(nameof(colour)),
    };

    public static SKColor Rgb(Tone tone) => tone switch
    {
        Tone.Light => new SKColor(218, 214, 200),
        Tone.Grey => new SKColor(128, 130, 134),
        Tone.Dark => new SKColor(42, 45, 56),
        _ => throw new ArgumentOutOfRangeException(nameof(tone)),
    };

    /// <summary>The second colour of a texture: the tone moved towards mid-grey, enough to see, far less than an object.</summary>
    public static SKColor TextureRgb(Tone tone)
    {
        var c = Rgb(tone);
        int shift = tone == Tone.Dark ? 30 : -30;
        return new SKColor((byte)(c.Red + shift), (byte)(c.Green + shift), (byte)(c.Blue + shift));
    }

    public static double Distance(SKColor a, SKColor b)
    {
        double dr = a.Red - b.Red, dg = a.Green - b.Green, db = a.Blue - b.Blue;
        return Math.Sqrt(dr * dr + dg * dg + db * db);
    }

    public static bool Contrasts(ObjectColour colour, Tone tone) => Distance(Rgb(colour), Rgb(tone)) >= MinContrast;
}
