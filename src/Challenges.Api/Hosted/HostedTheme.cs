using System.Globalization;
using Challenges.Api.Tenants;

namespace Challenges.Api.Hosted;

/// <summary>
/// A tenant's colours as a style sheet of custom properties (<c>/hosted/theme.css</c>), so the page's CSP needs no
/// inline style. The text on the primary colour is black or white, whichever has the higher contrast (WCAG 2.2
/// relative luminance), so any brand colour keeps its buttons readable.
/// </summary>
public static class HostedTheme
{
    public static string Css(HostedPageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var primary = options.PrimaryColor.ToLowerInvariant();
        var on = OnColour(primary);
        return $":root{{--brand:{primary};--on-brand:{on};}}\n";
    }

    /// <summary><c>#000000</c> or <c>#ffffff</c>: the one with the higher contrast ratio against <paramref name="hex"/> (#rrggbb).</summary>
    public static string OnColour(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var l = Luminance(hex);
        var withWhite = 1.05 / (l + 0.05);
        var withBlack = (l + 0.05) / 0.05;
        return withBlack >= withWhite ? "#000000" : "#ffffff";
    }

    private static double Luminance(string hex)
    {
        double Channel(int at)
        {
            var c = int.Parse(hex.AsSpan(at, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 255.0;
            return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        return (0.2126 * Channel(1)) + (0.7152 * Channel(3)) + (0.0722 * Channel(5));
    }
}
