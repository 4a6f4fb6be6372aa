namespace Dspt.World;

// The independent attributes of a scene in the built-in world. Their English names live in
// WorldNames, their pixel values in WorldPalette, their geometry in ShapePaths.

/// <summary>The 20 shapes; the main downstream task asks which one an image shows.</summary>
public enum Shape
{
    Circle, Square, Triangle, Star, Cross, Ring, Diamond, Hexagon, Pentagon, Heart,
    Crescent, Ellipse, Bar, Arrow, Semicircle, Trapezoid, Frame, Octagon, Hourglass, X,
}

public enum ObjectColour { Red, Orange, Yellow, Green, Blue, Purple, Pink, Brown, White, Black }

public enum ObjectSize { Small, Big }

/// <summary>Where a single object sits; copies of a counted object take distinct slots.</summary>
public enum Position { Centre, TopLeft, TopRight, BottomLeft, BottomRight }

public enum Texture { Plain, Striped, Checkered, Dotted, Grainy }

/// <summary>The base tone of the background, which its texture modulates.</summary>
public enum Tone { Light, Grey, Dark }

/// <summary>
/// How the object is drawn. Filled is the common case; the others are the knobs for a
/// distribution shift between pretraining and a downstream task (WorldSpec's rates).
/// </summary>
public enum Style
{
    Filled,
    /// <summary>A thin stroke along the outline.</summary>
    Outline,
    /// <summary>Filled but blended towards the background (low contrast).</summary>
    Faint,
    /// <summary>Filled, with Gaussian pixel noise over the whole image.</summary>
    Noisy,
}
