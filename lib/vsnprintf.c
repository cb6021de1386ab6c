/* SPDX-License-Identifier: GPL-2.0-only */
/* lib/vsnprintf.c - C99 snprintf for freestanding code. */
#include "lib/vsnprintf.h"

#define F_LEFT   0x01   /* '-' */
#define F_ZERO   0x02   /* '0' */
#define F_PLUS   0x04   /* '+' */
#define F_SPACE  0x08   /* ' ' */
#define F_ALT    0x10   /* '#' */
#define F_UPPER  0x20

struct out {
    char *buf;
    size_t size;
    size_t len;     /* what the output would be without truncation */
};

static void put(struct out *o, char c)
{
    if ( o->len + 1 < o->size )
        o->buf[o->len] = c;
    o->len++;
}

static void pad(struct out *o, char c, int n)
{
    while ( n-- > 0 )
        put(o, c);
}

/* A number: sign/prefix, zero or space padding, precision digits. */
static void number(struct out *o, unsigned long long v, bool negative,
                   unsigned int base, int flags, int width, int prec)
{
    const char *digits = (flags & F_UPPER) ? "0123456789ABCDEF"
                                           : "0123456789abcdef";
    char tmp[24], prefix[3];
    int n = 0, np = 0, zeros;

    if ( negative )
        prefix[np++] = '-';
    else if ( flags & F_PLUS )
        prefix[np++] = '+';
    else if ( flags & F_SPACE )
        prefix[np++] = ' ';
    if ( (flags & F_ALT) && base == 16 && v )
    {
        prefix[np++] = '0';
        prefix[np++] = (flags & F_UPPER) ? 'X' : 'x';
    }

    /* C99: precision 0 with value 0 prints no digits. */
    while ( v || (n == 0 && prec != 0) )
    {
        tmp[n++] = digits[v % base];
        v /= base;
    }
    if ( (flags & F_ALT) && base == 8 && (n == 0 || tmp[n - 1] != '0') )
        tmp[n++] = '0';

    zeros = prec > n ? prec - n : 0;
    if ( prec < 0 && (flags & F_ZERO) && !(flags & F_LEFT) )
        zeros = MAX(width - np - n, 0);
    width -= np + zeros + n;

    if ( !(flags & F_LEFT) )
        pad(o, ' ', width);
    for ( int i = 0; i < np; i++ )
        put(o, prefix[i]);
    pad(o, '0', zeros);
    while ( n-- )
        put(o, tmp[n]);
    if ( flags & F_LEFT )
        pad(o, ' ', width);
}

static void string(struct out *o, const char *s, int flags, int width, int prec)
{
    int n = 0;

    if ( !s )
        s = "(null)";
    while ( (prec < 0 || n < prec) && s[n] )
        n++;
    if ( !(flags & F_LEFT) )
        pad(o, ' ', width - n);
    for ( int i = 0; i < n; i++ )
        put(o, s[i]);
    if ( flags & F_LEFT )
        pad(o, ' ', width - n);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { .buf = buf, .size = size, .len = 0 };

    for ( ; *fmt; fmt++ )
    {
        int flags = 0, width = 0, prec = -1, lmod = 0;
        unsigned long long v;
        bool neg = false;

        if ( *fmt != '%' )
        {
            put(&o, *fmt);
            continue;
        }

        for ( ; ; )
        {
            switch ( *++fmt )
            {
            case '-': flags |= F_LEFT;  continue;
            case '0': flags |= F_ZERO;  continue;
            case '+': flags |= F_PLUS;  continue;
            case ' ': flags |= F_SPACE; continue;
            case '#': flags |= F_ALT;   continue;
            }
            break;
        }

        if ( *fmt == '*' )
        {
            width = va_arg(ap, int);
            if ( width < 0 )
            {
                flags |= F_LEFT;
                width = -width;
            }
            fmt++;
        }
        else
            while ( *fmt >= '0' && *fmt <= '9' )
                width = width * 10 + (*fmt++ - '0');

        if ( *fmt == '.' )
        {
            fmt++;
            prec = 0;
            if ( *fmt == '*' )
            {
                prec = va_arg(ap, int);
                fmt++;
            }
            else
                while ( *fmt >= '0' && *fmt <= '9' )
                    prec = prec * 10 + (*fmt++ - '0');
        }

        /* lmod: -2 hh, -1 h, 0 int, 1 long, 2 long long, size_t/intmax/ptrdiff. */
        switch ( *fmt )
        {
        case 'h':
            lmod = -1;
            if ( *++fmt == 'h' )
            {
                lmod = -2;
                fmt++;
            }
            break;
        case 'l':
            lmod = 1;
            if ( *++fmt == 'l' )
            {
                lmod = 2;
                fmt++;
            }
            break;
        case 'z': case 'j': case 't':
            lmod = 2;
            fmt++;
            break;
        }

        switch ( *fmt )
        {
        case 'd': case 'i':
        {
            long long s;

            if ( lmod == 2 )
                s = va_arg(ap, long long);
            else if ( lmod == 1 )
                s = va_arg(ap, long);
            else
                s = va_arg(ap, int);
            if ( lmod == -1 )
                s = (short)s;
            else if ( lmod == -2 )
                s = (signed char)s;
            neg = s < 0;
            v = neg ? -(unsigned long long)s : (unsigned long long)s;
            number(&o, v, neg, 10, flags, width, prec);
            break;
        }

        case 'u': case 'x': case 'X': case 'o':
            if ( lmod == 2 )
                v = va_arg(ap, unsigned long long);
            else if ( lmod == 1 )
                v = va_arg(ap, unsigned long);
            else
                v = va_arg(ap, unsigned int);
            if ( lmod == -1 )
                v = (unsigned short)v;
            else if ( lmod == -2 )
                v = (unsigned char)v;
            if ( *fmt == 'X' )
                flags |= F_UPPER;
            /* '+' and ' ' are for signed conversions only (C99 7.19.6.1). */
            flags &= ~(F_PLUS | F_SPACE);
            number(&o, v, false,
                   *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16, flags, width, prec);
            break;

        case 'p':
            v = (uintptr_t)va_arg(ap, void *);
            number(&o, v, false, 16, flags | F_ALT, width, prec);
            break;

        case 's':
            string(&o, va_arg(ap, const char *), flags, width, prec);
            break;

        case 'c':
        {
            char c[2] = { (char)va_arg(ap, int), 0 };

            /* Through string() for padding; a NUL character still counts. */
            if ( c[0] )
                string(&o, c, flags, width, -1);
            else
            {
                if ( !(flags & F_LEFT) )
                    pad(&o, ' ', width - 1);
                put(&o, 0);
                if ( flags & F_LEFT )
                    pad(&o, ' ', width - 1);
            }
            break;
        }

        case '%':
            put(&o, '%');
            break;

        case '\0':
            /* A lone '%' at the end: print it and stop. */
            put(&o, '%');
            fmt--;
            break;

        default:
            /* Unknown conversion: echo it, so the mistake is visible. */
            put(&o, '%');
            put(&o, *fmt);
            break;
        }
    }

    if ( size )
        buf[MIN(o.len, size - 1)] = '\0';
    return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
