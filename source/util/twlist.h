/*
 * tdbwins — intrusive doubly-linked lists: link at the head, unlink.
 *
 * The lists are the ones whose nodes are freed by talloc and unlinked in
 * their destructors (NBNS probes and registrations being challenged, TCP
 * 137 connections).  Node types keep their own typed prev/next members,
 * so iteration stays `for (x = head; x != NULL; x = x->next)`.
 *
 * TWLIST_FUNCS() only *defines* two static inline functions for one node
 * type; the functions evaluate each argument once (unlike Samba's
 * DLIST_ADD/DLIST_REMOVE macros), and the compiler checks the types:
 *
 *	TWLIST_FUNCS(nbns_probe_list, struct nbns_probe, prev, next)
 *
 * gives
 *
 *	void nbns_probe_list_link(struct nbns_probe **head,
 *				  struct nbns_probe *node);
 *	void nbns_probe_list_unlink(struct nbns_probe **head,
 *				    struct nbns_probe *node);
 *
 * _link puts an unlinked node at the head.  _unlink takes the node out
 * and clears its prev/next; a node that is not linked (both NULL and not
 * the head) is left alone, so a destructor may call it unconditionally.
 */
#ifndef TDBWINS_TWLIST_H
#define TDBWINS_TWLIST_H

#include <stddef.h>

#define TWLIST_FUNCS(name, type, prev, next)                                   \
	static inline void name##_link(type **head, type *node)               \
	{                                                                      \
		node->prev = NULL;                                             \
		node->next = *head;                                            \
		if (*head != NULL) {                                           \
			(*head)->prev = node;                                  \
		}                                                              \
		*head = node;                                                  \
	}                                                                      \
                                                                               \
	static inline void name##_unlink(type **head, type *node)             \
	{                                                                      \
		if (node->prev != NULL) {                                      \
			node->prev->next = node->next;                         \
		} else if (*head == node) {                                    \
			*head = node->next;                                    \
		}                                                              \
		if (node->next != NULL) {                                      \
			node->next->prev = node->prev;                         \
		}                                                              \
		node->prev = NULL;                                             \
		node->next = NULL;                                             \
	}

#endif /* TDBWINS_TWLIST_H */
