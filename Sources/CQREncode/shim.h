// libqrencode (Debian: libqrencode-dev), for the QR code drawn on the A4 PDF.
#include <qrencode.h>
