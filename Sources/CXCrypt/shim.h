// libxcrypt: bcrypt ($2b$) for the admin user's password hash.
#include <crypt.h>
#include <stdlib.h>
