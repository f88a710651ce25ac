# SPDX-License-Identifier: GPL-2.0-or-later
# target/scsi/: the SPC-4/SBC-3 engine (libscsi.a), over the backstores.
SCSI_SRC := $(wildcard target/scsi/*.c)
LIBSCSI := $(BUILD)/lib/libscsi.a
LIBS_SCSI := $(LIBSCSI) $(LIBS_BS)
$(eval $(call archive,$(LIBSCSI),$(SCSI_SRC)))
$(eval $(call unit_tests,target/scsi,$(LIBS_SCSI)))
