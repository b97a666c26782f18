// libharu (Debian: libhpdf-dev), for the A4 PDF of electronic documents.
#include <hpdf.h>
