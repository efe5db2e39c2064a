using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Http;

/// <summary>
/// Runs before routing: refuses over-long URLs with 400, reads every body as JSON whatever its Content-Type (mobile SDKs
/// send none) and refuses bodies over the limit with 413, whether they announce their length or stream it. An announced
/// length is judged here, and the server holds the body to it, so only a streamed (chunked) body is counted as it is
/// read. Kestrel's own per-request limit (<c>IHttpMaxRequestBodySizeFeature</c>) is not used for that: it counts the
/// chunk framing too, so it would refuse streamed bodies a little under the limit.
/// </summary>
public sealed class RequestGuardMiddleware(RequestDelegate next, IOptions<HttpOptions> options)
{
    /// <summary>No path or query of the contract comes near this; anything longer is refused before routing.</summary>
    public const int MaxUrlLength = 16 * 1024;

    private readonly int _limit = options.Value.MaxRequestBodyBytes;

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (request.Path.Value?.Length + request.QueryString.Value?.Length > MaxUrlLength)
        {
            return ErrorWriter.WriteAsync(context, ApiError.Invalid($"The request URL is longer than {MaxUrlLength} characters."));
        }
        if (request.ContentLength > _limit)
        {
            return ErrorWriter.WriteAsync(context, ApiError.PayloadTooLarge(_limit));
        }
        if (!HttpMethods.IsGet(request.Method) && !IsJson(request.ContentType))
        {
            request.ContentType = "application/json";
        }
        if (request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false)
        {
            request.Body = new LimitedReadStream(request.Body, _limit);
        }
        return next(context);
    }

    // Every body is read as JSON: mobile SDKs send none, and a form or text type would only earn a 415 from the framework.
    private static bool IsJson(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Thrown by <see cref="LimitedReadStream"/> when a streamed body passes the limit.</summary>
public sealed class PayloadTooLargeException(int limit) : Exception(ApiError.PayloadTooLarge(limit).Description);

/// <summary>A read-only wrapper that throws <see cref="PayloadTooLargeException"/> once more than the limit is read.</summary>
internal sealed class LimitedReadStream(Stream inner, int limit) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int n)
    {
        _read += n;
        if (_read > limit)
        {
            throw new PayloadTooLargeException(limit);
        }
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
