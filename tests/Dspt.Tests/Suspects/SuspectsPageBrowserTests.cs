using Dspt.Suspects;
using Microsoft.Playwright;

namespace Dspt.Tests.Suspects;

/// <summary>
/// suspects.html in a real browser: Debian's Chromium, headless, driven by Playwright from
/// file:// (no server). The CI installs chromium when it is missing; without it this test fails
/// and says so rather than skipping.
/// </summary>
[Trait("Category", "Slow")]
public class SuspectsPageBrowserTests
{
    const string Chromium = "/usr/bin/chromium";
    static readonly string[] Classes = ["cat", "dog", "fox"];

    static List<PageItem> Items(TempDir tmp)
    {
        Directory.CreateDirectory(tmp[SuspectsPage.ThumbnailFolder]);
        var items = new List<PageItem>();
        // Suspicion deliberately not in path order, so sorting is visible.
        double[] suspicion = [0.2, 0.9, 0.5, 0.7, 0.1, 0.8];
        for (int i = 0; i < suspicion.Length; i++)
        {
            string thumb = $"{SuspectsPage.ThumbnailFolder}/{i:D5}.png";
            var rgb = new byte[8 * 8 * 3];
            Array.Fill(rgb, (byte)(30 * i));
            File.WriteAllBytes(tmp[thumb], Thumbnails.FromRgb(rgb, 8, 8));
            items.Add(new PageItem($"img/{i},\"odd\".png", Classes[i % 3], Classes[(i + 1) % 3], suspicion[i], thumb,
                new Dictionary<string, double> { ["self_confidence"] = 1 - suspicion[i] }, i % 2));
        }
        return items;
    }

    [Fact]
    public async Task Review_filter_decide_and_export_corrections()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does");
        using var tmp = Repo.Temp();
        var items = Items(tmp);
        SuspectsPage.Write(tmp.Path, "toy suspects", "test-" + Guid.NewGuid(), Classes, items);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { AcceptDownloads = true });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(new Uri(tmp[SuspectsPage.FileName]).AbsoluteUri);

        var cards = page.Locator(".card");
        Assert.Equal(6, await cards.CountAsync());
        var order = await cards.EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.path)");
        Assert.Equal(items.OrderByDescending(i => i.Suspicion).Select(i => i.Path), order);
        Assert.Contains("self_confidence: 0.1000", await cards.First.GetAttributeAsync("title"));
        Assert.True(await page.EvaluateAsync<bool>("[...document.images].every(i => i.complete && i.naturalWidth > 0)"), "a thumbnail did not load from the folder beside the page");

        await page.SelectOptionAsync("#filter-given", "dog");
        Assert.Equal(2, await cards.CountAsync());   // items 1 and 4
        await page.SelectOptionAsync("#filter-given", "");
        Assert.Equal(6, await cards.CountAsync());

        // Mouse: accept the suggestions of the two most suspicious; keyboard: remove the third.
        await cards.Nth(0).Locator(".act-relabel").ClickAsync();
        await cards.Nth(1).Locator(".act-relabel").ClickAsync();
        await cards.Nth(2).ClickAsync();
        await page.Keyboard.PressAsync("r");
        Assert.Contains("3 of 6 reviewed", await page.Locator("#progress").TextContentAsync());

        // Progress survives a reload.
        await page.ReloadAsync();
        Assert.Contains("3 of 6 reviewed", await page.Locator("#progress").TextContentAsync());

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export"));
        Assert.Equal("corrections.csv", download.SuggestedFilename);
        string csv = tmp["corrections.csv"];
        await download.SaveAsAsync(csv);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("path,action,new_label", lines[0]);
        Assert.Equal(
        [
            "\"img/1,\"\"odd\"\".png\",relabel,fox",   // suspicion 0.9: given dog, suggested fox
            "\"img/5,\"\"odd\"\".png\",relabel,cat",   // 0.8: fox -> cat
            "\"img/3,\"\"odd\"\".png\",remove,",       // 0.7
        ], lines.Skip(1));
        Assert.Empty(errors);
    }
}
