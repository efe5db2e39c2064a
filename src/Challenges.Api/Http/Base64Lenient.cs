namespace Challenges.Api.Http;

/// <summary>Base64 decoding that takes either alphabet, optional padding and a space for <c>+</c>.</summary>
public static class Base64Lenient
{
    public static byte[]? Decode(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length > 16 * 1024)
        {
            return null;
        }
        Span<char> buffer = text.Length <= 1024 ? stackalloc char[text.Length + 3] : new char[text.Length + 3];
        var n = 0;
        foreach (var c in text)
        {
            buffer[n++] = c switch { '-' => '+', '_' => '/', ' ' => '+', _ => c };
        }
        while (n > 0 && buffer[n - 1] == '=')
        {
            n--;
        }
        if (n % 4 == 1)
        {
            return null;
        }
        while (n % 4 != 0)
        {
            buffer[n++] = '=';
        }
        var result = new byte[n / 4 * 3];
        return Convert.TryFromBase64Chars(buffer[..n], result, out var written) ? result[..written] : null;
    }
}
