using Dspt.Losses;

namespace Dspt.Tests.Losses;

public class LossRegistryTests
{
    [Theory]
    [InlineData("ce", typeof(CrossEntropyLoss), "ce")]
    [InlineData("dspt", typeof(DsptLoss), "dspt")]
    [InlineData("DSPT", typeof(DsptLoss), "dspt")]
    [InlineData("gce", typeof(GceLoss), "gce")]
    [InlineData("gce:0.7", typeof(GceLoss), "gce")]
    [InlineData("gce:0.5", typeof(GceLoss), "gce:0.5")]
    [InlineData("mae", typeof(MaeLoss), "mae")]
    [InlineData("mae:1", typeof(MaeLoss), "mae")]
    [InlineData("mae:2", typeof(MaeLoss), "mae:2")]
    public void CreatesTheLossAndItsNameRoundTrips(string spec, Type type, string name)
    {
        var loss = LossRegistry.Create(spec);
        Assert.IsType(type, loss);
        Assert.Equal(name, loss.Name);
        Assert.Equal(name, LossRegistry.Create(loss.Name).Name);
    }

    [Fact]
    public void ParametersAreRead()
    {
        Assert.Equal(0.5, ((GceLoss)LossRegistry.Create("gce:0.5")).Q);
        Assert.Equal(0.7, ((GceLoss)LossRegistry.Create("gce")).Q);
        Assert.Equal(2, ((MaeLoss)LossRegistry.Create("mae:2")).Scale);
        Assert.Equal(1, ((MaeLoss)LossRegistry.Create("mae")).Scale);
    }

    [Theory]
    [InlineData("focal", "unknown loss 'focal', expected one of: ce, dspt, gce, gce:<q>, mae, mae:<scale>")]
    [InlineData("ce:2", "unknown loss 'ce:2'")]
    [InlineData("gce:abc", "loss 'gce:abc': 'abc' is not a number")]
    [InlineData("gce:0", "GCE exponent q = 0, expected 0 < q <= 1")]
    [InlineData("gce:1.5", "GCE exponent q = 1.5, expected 0 < q <= 1")]
    [InlineData("mae:-1", "MAE scale = -1, expected a positive number")]
    public void RejectsUnknownNamesAndBadParametersClearly(string spec, string message)
    {
        var e = Assert.Throws<InvalidInputException>(() => LossRegistry.Create(spec));
        Assert.Contains(message, e.Message);
    }
}
