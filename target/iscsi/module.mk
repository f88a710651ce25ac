# SPDX-License-Identifier: GPL-2.0-or-later
# target/iscsi/: the iSCSI target transport (libtiscsi.a), over the SCSI engine.
ISCSI_SRC := $(wildcard target/iscsi/*.c)
LIBISCSI_T := $(BUILD)/lib/libtiscsi.a
LIBS_ISCSI := $(LIBISCSI_T) $(LIBS_SCSI)
$(eval $(call archive,$(LIBISCSI_T),$(ISCSI_SRC)))
$(eval $(call unit_tests,target/iscsi,$(LIBS_ISCSI)))
