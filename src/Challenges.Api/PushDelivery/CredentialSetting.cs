namespace Challenges.Api.PushDelivery;

/// <summary>
/// A credential setting holds either the credential itself (PEM text, JSON) or the path of a file that does: a file
/// keeps the secret out of the environment, the text suits secret stores that hand values over as variables.
/// </summary>
public static class CredentialSetting
{
    /// <summary>
    /// The credential text: <paramref name="value"/> itself when it starts with <paramref name="inlineStart"/>, else the
    /// content of the file it names. Null with a <paramref name="problem"/> (never quoting the value) otherwise.
    /// </summary>
    public static string? Read(string value, string inlineStart, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(value);
        problem = null;
        if (value.TrimStart().StartsWith(inlineStart, StringComparison.Ordinal))
        {
            return value;
        }
        try
        {
            return File.ReadAllText(value.Trim());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problem = $"is neither the credential's text (starting '{inlineStart}') nor a readable file ({e.GetType().Name})";
            return null;
        }
    }
}
