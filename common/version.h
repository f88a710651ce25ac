/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The version of every Portico program: porticod, portico, portico-pathd
 * and portico-path ship together (one source package, debian/changelog's
 * top entry: tests/functional/cli-options.sh checks that they agree).
 */
#ifndef PORTICO_COMMON_VERSION_H
#define PORTICO_COMMON_VERSION_H

#define PORTICO_VERSION "0.3"

#endif
