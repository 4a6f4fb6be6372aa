using SkiaSharp;

namespace Dspt.World;

/// <summary>
/// Outline geometry of each shape in a unit frame: centred on the origin, inside [-1, 1]^2,
/// y pointing down (Skia's convention), upright. The renderer scales it by the object's radius.
/// </summary>
public static class ShapePaths
{
    public static SKPath Create(Shape shape) => shape switch
    {
        Shape.Circle => Circle(1f),
        Shape.Square => Rect(-0.85f, -0.85f, 0.85f, 0.85f),
        Shape.Triangle => Polygon((0, -0.95f), (1, 0.78f), (-1, 0.78f)),
        Shape.Star => Star(points: 5, outer: 1, inner: 0.42f, dy: 0.1f),
        Shape.Cross => Plus(arm: 1, halfWidth: 0.3f),
        Shape.Ring => Hollow(Circle(1f), Circle(0.58f)),
        Shape.Diamond => Polygon((0, -1), (0.65f, 0), (0, 1), (-0.65f, 0)),
        Shape.Hexagon => Regular(sides: 6, radius: 1, startDegrees: 0, dy: 0),
        Shape.Pentagon => Regular(sides: 5, radius: 1, startDegrees: -90, dy: 0.1f),
        Shape.Heart => Heart(),
        Shape.Crescent => Crescent(),
        Shape.Ellipse => Oval(1f, 0.55f),
        Shape.Bar => Rect(-1, -0.26f, 1, 0.26f),
        Shape.Arrow => Polygon((-1, -0.2f), (0.15f, -0.2f), (0.15f, -0.62f), (1, 0), (0.15f, 0.62f), (0.15f, 0.2f), (-1, 0.2f)),
        Shape.Semicircle => Semicircle(),
        Shape.Trapezoid => Polygon((-0.5f, -0.6f), (0.5f, -0.6f), (1, 0.6f), (-1, 0.6f)),
        Shape.Frame => Hollow(Rect(-0.9f, -0.9f, 0.9f, 0.9f), Rect(-0.56f, -0.56f, 0.56f, 0.56f)),
        Shape.Octagon => Regular(sides: 8, radius: 1, startDegrees: 22.5, dy: 0),
        Shape.Hourglass => Polygon((-0.8f, -1), (0.8f, -1), (0.14f, 0), (0.8f, 1), (-0.8f, 1), (-0.14f, 0)),
        Shape.X => Rotated(Plus(arm: 1.2f, halfWidth: 0.26f), 45),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    static SKPath Circle(float r)
    {
        var path = new SKPath();
        path.AddCircle(0, 0, r);
        return path;
    }

    static SKPath Oval(float rx, float ry)
    {
        var path = new SKPath();
        path.AddOval(new SKRect(-rx, -ry, rx, ry));
        return path;
    }

    static SKPath Rect(float left, float top, float right, float bottom)
    {
        var path = new SKPath();
        path.AddRect(new SKRect(left, top, right, bottom));
        return path;
    }

    static SKPath Polygon(params (float X, float Y)[] points)
    {
        var path = new SKPath();
        path.AddPoly(points.Select(p => new SKPoint(p.X, p.Y)).ToArray(), close: true);
        return path;
    }

    static SKPath Regular(int sides, float radius, double startDegrees, float dy) =>
        Polygon(Enumerable.Range(0, sides)
            .Select(i => (startDegrees + 360.0 * i / sides) * Math.PI / 180)
            .Select(a => ((float)(radius * Math.Cos(a)), (float)(radius * Math.Sin(a)) + dy))
            .ToArray());

    static SKPath Star(int points, float outer, float inner, float dy) =>
        Polygon(Enumerable.Range(0, 2 * points)
            .Select(i => (Angle: -Math.PI / 2 + Math.PI * i / points, R: i % 2 == 0 ? outer : inner))
            .Select(v => ((float)(v.R * Math.Cos(v.Angle)), (float)(v.R * Math.Sin(v.Angle)) + dy))
            .ToArray());

    static SKPath Plus(float arm, float halfWidth)
    {
        float a = arm, w = halfWidth;
        return Polygon((-w, -a), (w, -a), (w, -w), (a, -w), (a, w), (w, w), (w, a), (-w, a), (-w, w), (-a, w), (-a, -w), (-w, -w));
    }

    /// <summary>The outer path minus the inner one (even-odd fill), so an outline stroke draws both edges.</summary>
    static SKPath Hollow(SKPath outer, SKPath inner)
    {
        using (inner)
        {
            outer.AddPath(inner);
            outer.FillType = SKPathFillType.EvenOdd;
            return outer;
        }
    }

    static SKPath Rotated(SKPath path, float degrees)
    {
        path.Transform(SKMatrix.CreateRotationDegrees(degrees));
        return path;
    }

    static SKPath Heart()
    {
        var path = new SKPath();
        path.MoveTo(0, -0.5f);
        path.CubicTo(0, -1.05f, -1, -1.05f, -1, -0.38f);
        path.CubicTo(-1, 0.18f, -0.35f, 0.5f, 0, 0.95f);
        path.CubicTo(0.35f, 0.5f, 1, 0.18f, 1, -0.38f);
        path.CubicTo(1, -1.05f, 0, -1.05f, 0, -0.5f);
        path.Close();
        return path;
    }

    /// <summary>A disc with an offset disc cut out, horns pointing right.</summary>
    static SKPath Crescent()
    {
        using var disc = Circle(1f);
        using var bite = new SKPath();
        bite.AddCircle(0.5f, -0.15f, 0.82f);
        return disc.Op(bite, SKPathOp.Difference)
            ?? throw new InvalidOperationException("Skia could not subtract the crescent's bite");
    }

    /// <summary>The upper half of a disc of radius 1 centred at y = 0.5, so its box is centred too.</summary>
    static SKPath Semicircle()
    {
        var path = new SKPath();
        path.MoveTo(-1, 0.5f);
        path.ArcTo(new SKRect(-1, -0.5f, 1, 1.5f), 180, 180, forceMoveTo: false);
        path.Close();
        return path;
    }
}
