using System.Security.Cryptography;
using Challenges.Api.Push;

namespace Challenges.Api.Tests.Push;

/// <summary>The cache of imported device keys releases every key it lets go of.</summary>
public sealed class DeviceKeyCacheTests
{
    private static bool IsDisposed(ECDsa key)
    {
        try
        {
            key.ExportSubjectPublicKeyInfo();
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    [Fact]
    public void Keys_dropped_when_the_cache_is_full_are_disposed()
    {
        var cache = new DeviceKeyCache(2);
        var first = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var second = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var third = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        cache.Add("a", first);
        cache.Add("b", second);

        Assert.Same(third, cache.Add("c", third));

        Assert.True(IsDisposed(first));
        Assert.True(IsDisposed(second));
        Assert.False(IsDisposed(third));
        Assert.Equal(1, cache.Count);
        Assert.Null(cache.Find("a"));
    }

    [Fact]
    public void The_loser_of_a_race_to_add_the_same_key_is_disposed()
    {
        var cache = new DeviceKeyCache(10);
        var winner = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var loser = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        cache.Add("same", winner);

        Assert.Same(winner, cache.Add("same", loser));
        Assert.True(IsDisposed(loser));
        Assert.False(IsDisposed(winner));
    }

    [Fact]
    public void A_key_disposed_before_its_verification_asks_for_a_fresh_import()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var cache = new DeviceKeyCache(10);
        cache.Add("k", key);
        cache.Clear();

        Assert.Null(DeviceKeyCache.Verify(key, k => k.VerifyData(new byte[] { 1 }, new byte[64], HashAlgorithmName.SHA256)));
    }

    [Fact]
    public async Task Signatures_verify_while_the_cache_is_cleared_concurrently()
    {
        using var device = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = Convert.ToBase64String(device.ExportSubjectPublicKeyInfo());
        var signature = Convert.ToBase64String(device.SignData("message"u8.ToArray(), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        // Many distinct keys fill the shared cache (10,000) again and again while the same signature is checked.
        var filling = Task.Run(() =>
        {
            for (var i = 0; i < 12_000; i++)
            {
                using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                DeviceCrypto.NormalizePublicKey(Convert.ToBase64String(other.ExportSubjectPublicKeyInfo()));
            }
        });
        while (!filling.IsCompleted)
        {
            Assert.True(DeviceCrypto.Verify(publicKey, "message", signature));
        }
        await filling;
    }
}
