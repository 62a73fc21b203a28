using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Skein.Store.Rows;

namespace Skein.Store.Configurations;

internal sealed class UserConfiguration : IEntityTypeConfiguration<UserRow>
{
    public void Configure(EntityTypeBuilder<UserRow> b)
    {
        b.ToTable("users");
        b.HasKey(x => x.Id);
        b.Property(x => x.Email).HasMaxLength(200);
        b.Property(x => x.DisplayName).HasMaxLength(100);
        b.Property(x => x.PasswordHash).HasMaxLength(200);
        b.Property(x => x.Role).HasMaxLength(16);
        b.Property(x => x.Stamp).HasMaxLength(64);
        b.HasIndex(x => x.Email).IsUnique();
    }
}

internal sealed class UserTokenConfiguration : IEntityTypeConfiguration<UserTokenRow>
{
    public void Configure(EntityTypeBuilder<UserTokenRow> b)
    {
        b.ToTable("user_tokens");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Prefix).HasMaxLength(16);
        b.Property(x => x.Hash).HasMaxLength(128);
        b.HasIndex(x => x.Hash).IsUnique();
        b.HasIndex(x => x.UserId);
    }
}
