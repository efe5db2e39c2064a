namespace Challenges.Api.Http;

/// <summary>
/// Every JSON answer says <c>Content-Type: application/json</c> exactly, without a charset parameter (JSON is UTF-8
/// by definition, RFC 8259): Authsignal's Python SDK reads a reply only when the header is exactly that, and the
/// framework's JSON writers add <c>; charset=utf-8</c>. Applied as the headers are sent, so it holds for every writer.
/// </summary>
public static class JsonContentType
{
    public const string Value = "application/json";

    public static Task Exact(object state)
    {
        var response = (HttpResponse)state;
        if (response.ContentType is { } type && type.Length > Value.Length && type.StartsWith(Value, StringComparison.OrdinalIgnoreCase) &&
            type[Value.Length] is ';' or ' ')
        {
            response.ContentType = Value;
        }
        return Task.CompletedTask;
    }
}
